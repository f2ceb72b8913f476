import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/api-types.js';
import { FakeApi } from './fake-api.js';
import { FAMILY, MEMBERS, NOW, WORK, message } from './fixtures.js';
import { startCli } from './run-cli.js';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
  api.on('GET /v1/pools', { body: { pools: [FAMILY, WORK] } });
  api.on('GET /v1/pools/members', { body: { members: MEMBERS } });
  api.on('GET /v1/messages', {
    body: { messages: [message({ id: 'm1', text: 'earlier' })], hasOlder: false, hasNewer: false },
  });
  let sent = 0;
  api.on('POST /v1/messages/send', (request) => {
    sent += 1;
    const { text } = request.body as { text: string };
    return { body: { message: message({ id: `sent-${sent}`, text }) } };
  });
});
afterEach(async () => {
  await api.close();
});

const bob = (overrides: Partial<Message>): Message =>
  message({
    author: 'dev-bob-0004',
    userId: 'user-bob-0002',
    authorName: 'Bob',
    mine: false,
    ...overrides,
  });

describe('poolnet chat', () => {
  it('shows history, sends each piped line and prints live messages of its pool', async () => {
    const run = startCli(['chat', 'family', '--data', api.dataDir], { now: () => NOW });
    await run.stdout.waitFor('earlier');
    await api.waitForSocket();
    expect(api.firstFrames).toEqual([{ token: api.token }]);
    expect(Object.fromEntries(api.calls('GET /v1/messages')[0]?.query ?? [])).toEqual({
      pool: 'family',
      limit: '20',
    });

    run.stdin.write('hello everyone\n\nsecond line\n');
    const sends = await api.waitForRequests('POST /v1/messages/send', 2);
    // The name resolves to the pool id, which events carry.
    expect(sends.map((r) => r.body)).toEqual([
      { pool: FAMILY.id, text: 'hello everyone' },
      { pool: FAMILY.id, text: 'second line' },
    ]);
    await run.stdout.waitFor('second line');

    api.emit({ type: 'message', message: bob({ id: 'b1', pool: WORK.id, text: 'other pool' }) });
    api.emit({ type: 'message', message: bob({ id: 'b2', text: 'hi from Bob' }) });
    // The echo of a message already shown is not printed twice.
    api.emit({ type: 'message', message: message({ id: 'sent-1', text: 'hello everyone' }) });
    await run.stdout.waitFor('hi from Bob');

    run.stdin.end('/quit\n');
    expect(await run.exit).toBe(0);
    expect(run.stdout.text).toBe(
      [
        '12:03  Ada (laptop): earlier',
        '12:03  Ada (laptop): hello everyone',
        '12:03  Ada (laptop): second line',
        '12:03  Bob (desk): hi from Bob',
        '',
      ].join('\n'),
    );
    expect(run.stderr.text).toBe('');
  });

  it('ends at the end of the input once the lines are sent', async () => {
    const run = startCli(['chat', FAMILY.id, '--data', api.dataDir]);
    run.stdin.end('one\ntwo\n');
    expect(await run.exit).toBe(0);
    expect(api.calls('POST /v1/messages/send').map((r) => r.body)).toEqual([
      { pool: FAMILY.id, text: 'one' },
      { pool: FAMILY.id, text: 'two' },
    ]);
  });

  it('prints JSON lines with --json', async () => {
    const run = startCli(['chat', 'Family', '--json', '--data', api.dataDir]);
    await run.stdout.waitFor('earlier');
    await api.waitForSocket();
    api.emit({ type: 'server', connected: false });
    api.emit({ type: 'message', message: bob({ id: 'b2', text: 'json please' }) });
    await run.stdout.waitFor('json please');
    run.stdin.end();
    expect(await run.exit).toBe(0);
    const lines = run.stdout.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { type: 'message', message: message({ id: 'm1', text: 'earlier' }) },
      { type: 'server', connected: false },
      { type: 'message', message: bob({ id: 'b2', text: 'json please' }) },
    ]);
  });

  it('keeps going when a send is refused, and stops on a signal', async () => {
    api.on('POST /v1/messages/send', {
      status: 409,
      body: { error: { code: 'NOT_SIGNED_IN', message: 'not signed in' } },
    });
    const run = startCli(['chat', 'Family', '--data', api.dataDir]);
    run.stdin.write('hello\n');
    await run.stderr.waitFor('poolnet: not signed in');
    run.stop();
    expect(await run.exit).toBe(0);
  });

  it("exits 1 with the daemon's message for an unknown pool", async () => {
    api.on('GET /v1/messages', {
      status: 404,
      body: { error: { code: 'UNKNOWN_POOL', message: 'no pool named "nope"' } },
    });
    const run = startCli(['chat', 'nope', '--data', api.dataDir]);
    expect(await run.exit).toBe(1);
    expect(run.stderr.text).toBe('poolnet: no pool named "nope"\n');
  });
});
