/**
 * The daemon against a clustered sync server (CL6): the API fails over to the next instance
 * it knows when the one in use does not answer, and learns the others from GET /v1/cluster.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerApi } from '../src/daemon/server-api.js';
import { freePort } from './fixture.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});

/** A fake instance answering every path with `{ at, path }`, and `/v1/cluster` with `peers`. */
async function instance(name: string, peers: () => string[] = () => []): Promise<string> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/cluster') {
      res.end(JSON.stringify({ instances: peers().map((url) => ({ id: url, url })) }));
    } else res.end(JSON.stringify({ at: name, path: req.url }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const hooks = {
  refreshToken: () => undefined,
  onTokens: async () => undefined,
  signIn: async () => undefined,
};

describe('server failover', () => {
  it('[CL6] a call goes to the next instance when the first does not answer; the signalling URL follows', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const alive = await instance('b');
    const api = new ServerApi(dead, hooks, Date.now, [alive]);
    expect(api.signalUrl).toBe(`${dead.replace('http', 'ws')}/v1/signal`);
    expect(await api.call('GET', '/v1/ping')).toEqual({ at: 'b', path: '/v1/ping' });
    expect(api.activeUrl).toBe(alive);
    expect(api.signalUrl).toBe(`${alive.replace('http', 'ws')}/v1/signal`);
    // The account's URL stays the first one given.
    expect(api.baseUrl).toBe(dead);
  });

  it('[CL6] with one URL nothing changes: unreachable is an error, and failover says there is no other', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const api = new ServerApi(dead, hooks);
    await expect(api.call('GET', '/v1/ping')).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    expect(api.failover()).toBe(false);
    expect(api.activeUrl).toBe(dead);
  });

  it('[CL6] GET /v1/cluster teaches it the other instances, once per 30 s; bad URLs are ignored', async () => {
    let now = 1_000_000;
    const c = await instance('c');
    const a = await instance('a', () => [a, c, 'ftp://nope', 'not a url']);
    const api = new ServerApi(a, hooks, () => now);
    await api.discover();
    expect(api.knownUrls).toEqual([a, c]);
    expect(api.failover()).toBe(true);
    expect(await api.call('GET', '/x')).toMatchObject({ at: 'c' });
    now += 1000;
    await api.discover(); // too soon: not asked again
    expect(api.knownUrls).toEqual([a, c]);
  });
});
