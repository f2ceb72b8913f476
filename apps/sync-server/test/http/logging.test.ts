import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from './fixture.js';

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.close()));
});

/** A pino logger at `debug` whose JSON lines land in `lines`. */
function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('structured logs', () => {
  it('[HTTP19] one JSON line per request (method, path, status, ms), 429s as warnings, internal errors with their cause; never a token or query string', async () => {
    const { logger, lines } = capture();
    const t = await startTestServer({
      deps: { logger, onInternalError: undefined },
      config: { rateLimits: { register: { burst: 1, perMinute: 1 } } },
    });
    running.push(t);
    const token = t.device('d1', 'u1');
    await fetch(`${t.server.url}/v1/ice?secret=hunter2`, {
      headers: { authorization: `Bearer ${token}` },
    });
    for (let i = 0; i < 2; i++) {
      await fetch(`${t.server.url}/v1/test/echo`, { method: 'POST', body: '{}' });
    }
    await fetch(`${t.server.url}/v1/test/broken`);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const requests = lines.filter((l) => l.msg === 'request' || l.msg === 'rate limited');
    expect(
      requests.map((l) => `${String(l.method)} ${String(l.path)} ${String(l.status)}`),
    ).toEqual([
      'GET /v1/ice 200',
      'POST /v1/test/echo 200',
      'POST /v1/test/echo 429',
      'GET /v1/test/broken 500',
    ]);
    expect(requests.every((l) => typeof l.ms === 'number')).toBe(true);
    expect(requests.find((l) => l.status === 429)?.level).toBe(40);
    const internal = lines.find((l) => l.msg === 'internal error');
    expect(internal?.level).toBe(50);
    expect(JSON.stringify(internal)).toContain('SQLITE_CORRUPT');
    const all = JSON.stringify(lines);
    expect(all).not.toContain(token);
    expect(all).not.toContain('hunter2');
  });
});
