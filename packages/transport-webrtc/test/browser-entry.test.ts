import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openPair } from '@poolnet/engine/testing';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { WebRtcTransport as BrowserWebRtcTransport } from '../src/browser.js';
import { WebRtcTransport, WebRtcOptionsError } from '../src/index.js';
import type { Transport } from '@poolnet/engine';

const made: Transport[] = [];
const globals = globalThis as { RTCPeerConnection?: unknown };
afterEach(() => {
  for (const t of made.splice(0)) t.close();
  delete globals.RTCPeerConnection;
});

/** Stands in for a page's RTCPeerConnection: the W3C class, held to 127.0.0.1. */
class LoopbackRtcPeerConnection extends RTCPeerConnection {
  static readonly configs: unknown[] = [];
  constructor(config: { iceServers: unknown[] }) {
    LoopbackRtcPeerConnection.configs.push(config);
    super({ ...config, bindAddress: '127.0.0.1' } as ConstructorParameters<
      typeof RTCPeerConnection
    >[0]);
  }
}

describe('browser entry', () => {
  it("links with a Node.js peer through the page's RTCPeerConnection", async () => {
    globals.RTCPeerConnection = LoopbackRtcPeerConnection;
    let n = 0;
    const { a, b } = await openPair({
      make: () => {
        const t =
          n++ === 0
            ? new BrowserWebRtcTransport({ iceServers: ['stun:127.0.0.1:3478'] })
            : new WebRtcTransport({ bindAddress: '127.0.0.1' });
        made.push(t);
        return t;
      },
    });
    expect(LoopbackRtcPeerConnection.configs).toEqual([
      { iceServers: [{ urls: ['stun:127.0.0.1:3478'] }] },
    ]);
    const got: number[] = [];
    b.onMessage((frame) => got.push(frame[0]!));
    a.onMessage((frame) => b.send('control', frame));
    b.send('bulk', new Uint8Array([7]));
    a.send('bulk', new Uint8Array([9]));
    await expect.poll(() => got.length).toBe(1);
    expect(got).toEqual([9]);
  });

  it('refuses to start without an RTCPeerConnection', () => {
    expect(() => new BrowserWebRtcTransport()).toThrow(WebRtcOptionsError);
  });

  it('imports nothing from Node.js, node-datachannel included', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
        expect(spec!, `${file} imports ${spec}`).not.toMatch(/^node:|^node-datachannel/);
        if (spec!.startsWith('.'))
          visit(fileURLToPath(new URL(spec!.replace(/\.js$/, '.ts'), `file://${file}`)));
        else expect(['@poolnet/engine', '@poolnet/protocol']).toContain(spec);
      }
    };
    visit(fileURLToPath(new URL('../src/browser.ts', import.meta.url)));
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe('options', () => {
  it('refuses options that cannot work, with INVALID_OPTIONS', () => {
    const bad = [
      { connectTimeoutMs: 0 },
      { maxMessageBytes: -1 },
      { lowWaterMark: 8, highWaterMark: 4 },
      { sliceBytes: 1.5 },
      { heartbeatMs: 1000, silenceTimeoutMs: 500 },
      { iceServers: ['turn:nobody@127.0.0.1'] },
      { portRangeBegin: 5000, portRangeEnd: 4000 },
      { portRangeBegin: 0 },
      { sctpReceiveBufferBytes: 0 },
    ];
    for (const options of bad) {
      expect(() => new WebRtcTransport(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
  });
});
