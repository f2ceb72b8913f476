import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkError } from '@poolnet/engine';
import { asNodeId } from '@poolnet/protocol';
import { TcpTransport, type TcpLink } from '../src/index.js';
import { LineChannel } from '@poolnet/platform-node/testing';

const support = (file: string): string =>
  fileURLToPath(new URL(`./support/${file}`, import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const transports: TcpTransport[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const t of transports.splice(0)) t.close();
});

function run(file: string, args: string[] = []): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', support(file), ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  children.push(child);
  return child;
}

const heartbeatMs = 250;
const silenceTimeoutMs = 1500;

/** A peer process as responder, and this process's link to it. */
async function linkToChild(): Promise<{
  child: ChildProcessWithoutNullStreams;
  lines: LineChannel;
  link: TcpLink;
}> {
  const child = run('peer-process.ts', [`${heartbeatMs}`, `${silenceTimeoutMs}`]);
  const lines = new LineChannel(child.stdout, child.stdin);
  await lines.next((m) => m.ready === true);
  const transport = new TcpTransport({ host: '127.0.0.1', heartbeatMs, silenceTimeoutMs });
  transports.push(transport);
  const childOpen = lines.next((m) => m.open === true);
  const link = await transport.open(asNodeId('child'), 'initiator', lines.signals);
  await childOpen;
  return { child, lines, link };
}

function closeReason(link: TcpLink): Promise<Error | undefined | 'late'> {
  return Promise.race([
    new Promise<Error | undefined>((resolve) => link.onClose(resolve)),
    new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000)),
  ]);
}

describe('tcp link across processes', () => {
  it('moves 64 MiB of bulk to another process byte-exact (sha256)', async () => {
    const { lines, link } = await linkToChild();
    const total = 64 * 1024 * 1024;
    const frameBytes = 64 * 1024;
    lines.send({ expectBulk: total });
    const report = lines.next((m) => typeof m.sha256 === 'string');
    // Random content, made before the clock starts: 16 distinct MiB, each frame a different
    // slice, so a reordered or lost frame changes the hash.
    const source = randomBytes(16 * 1024 * 1024 + frameBytes);
    const frames = Array.from({ length: total / frameBytes }, (_, i) => {
      const at = ((i * 7919) % 256) * frameBytes + (i % 61);
      return source.subarray(at, at + frameBytes);
    });
    const hash = createHash('sha256');
    for (const frame of frames) hash.update(frame);
    const started = performance.now();
    for (const frame of frames) {
      while (link.bufferedAmount('bulk') > link.highWaterMark) {
        await new Promise<void>((resolve) => {
          const off = link.onDrain((channel) => {
            if (channel !== 'bulk') return;
            off();
            resolve();
          });
        });
      }
      link.send('bulk', frame);
    }
    const got = await report;
    const seconds = (performance.now() - started) / 1000;
    expect(got.bulkBytes).toBe(total);
    expect(got.sha256).toBe(hash.digest('hex'));
    // Informational, never a pass/fail condition: the machine is shared.
    console.log(`64 MiB in ${seconds.toFixed(2)} s: ${(total / 1e6 / seconds).toFixed(0)} MB/s`);
    // Control still works both ways after the bulk.
    const echoed = new Promise<Uint8Array>((resolve) => link.onMessage((f) => resolve(f)));
    link.send('control', new Uint8Array([42]));
    expect([...(await echoed)]).toEqual([42]);
  });

  it('closes the surviving end with LINK_CLOSED when the peer process is SIGKILLed', async () => {
    const { child, link } = await linkToChild();
    const closed = closeReason(link);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const reason = await closed;
    expect(reason).toBeInstanceOf(LinkError);
    expect((reason as LinkError).code).toBe('LINK_CLOSED');
    expect(link.isOpen).toBe(false);
    console.log(`SIGKILLed peer noticed after ${Date.now() - killedAt} ms`);
  });

  it('closes with LINK_CLOSED when the peer freezes (SIGSTOP): the heartbeat notices', async () => {
    const { child, link } = await linkToChild();
    const closed = closeReason(link);
    const stoppedAt = Date.now();
    child.kill('SIGSTOP');
    const reason = await closed;
    const after = Date.now() - stoppedAt;
    expect(reason).toBeInstanceOf(LinkError);
    expect((reason as LinkError).code).toBe('LINK_CLOSED');
    expect((reason as LinkError).message).toMatch(/silent/);
    console.log(`frozen peer noticed after ${after} ms (silence timeout ${silenceTimeoutMs} ms)`);
  });

  it('releases every socket and timer on close: the process ends by itself', async () => {
    const child = run('exit-check.ts');
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.once('exit', resolve)),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ]);
    expect(out).toContain('"closed":true');
    expect(code).toBe(0);
  });
});
