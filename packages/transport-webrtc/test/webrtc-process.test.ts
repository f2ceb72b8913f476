import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkError } from '@poolnet/engine';
import { asNodeId } from '@poolnet/protocol';
import { WebRtcTransport } from '../src/index.js';
import { LineChannel } from '@poolnet/platform-node/testing';

const support = (file: string): string =>
  fileURLToPath(new URL(`./support/${file}`, import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(file: string, args: string[] = []): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', support(file), ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  children.push(child);
  return child;
}

describe('webrtc link across processes', () => {
  it('closes the surviving end with LINK_CLOSED when the peer process is SIGKILLed', async () => {
    const heartbeatMs = 250;
    const silenceTimeoutMs = 1500;
    const child = run('peer-process.ts', [`${heartbeatMs}`, `${silenceTimeoutMs}`]);
    const lines = new LineChannel(child.stdout, child.stdin);
    await lines.next((m) => m.ready === true);
    const transport = new WebRtcTransport({
      bindAddress: '127.0.0.1',
      heartbeatMs,
      silenceTimeoutMs,
    });
    try {
      const childOpen = lines.next((m) => m.open === true);
      const link = await transport.open(asNodeId('child'), 'initiator', lines.signals);
      await childOpen;
      const echoed = new Promise<Uint8Array>((resolve) => link.onMessage((f) => resolve(f)));
      link.send('control', new Uint8Array([42]));
      expect([...(await echoed)]).toEqual([42]);

      const closed = new Promise<Error | undefined>((resolve) => link.onClose(resolve));
      const killedAt = Date.now();
      child.kill('SIGKILL');
      const reason = await Promise.race([
        closed,
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000)),
      ]);
      expect(reason).toBeInstanceOf(LinkError);
      expect((reason as LinkError).code).toBe('LINK_CLOSED');
      expect(link.isOpen).toBe(false);
      // Informational: detection follows silenceTimeoutMs, far below ICE consent's 30 s.
      console.log(`peer death noticed after ${Date.now() - killedAt} ms`);
    } finally {
      transport.close();
    }
  });

  it('releases every native resource on close: the process ends by itself', async () => {
    // The child's work (two links, an abort, a time-out) takes seconds under a loaded CI
    // machine; what this checks is the time from closing the transports to the process's end.
    const child = run('exit-check.ts');
    let closedAt: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('"closed":true')) closedAt ??= Date.now();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((resolve) => {
        const poll = setInterval(() => {
          if (closedAt !== undefined && Date.now() - closedAt > 10_000) {
            clearInterval(poll);
            resolve('still running');
          }
        }, 100);
        void exited.then(() => clearInterval(poll));
      }),
    ]);
    expect(closedAt, 'the child closed its transports').toBeDefined();
    expect(code, 'the process ended within 10 s of closing its transports').toBe(0);
  }, 60_000);
});
