import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { MEMBERS, NOW, message } from './fixtures.js';
import { runCli, startCli } from './run-cli.js';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(async () => {
  await api.close();
});

const cli = (...argv: string[]) => runCli([...argv, '--data', api.dataDir], { now: () => NOW });

describe('poolnet send', () => {
  it('joins the remaining words with spaces', async () => {
    api.on('POST /v1/messages/send', { body: { message: message({ text: 'hello there you' }) } });
    const { code, stdout } = await cli('send', 'Family', 'hello', 'there', 'you');
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(api.calls('POST /v1/messages/send')[0]?.body).toEqual({
      pool: 'Family',
      text: 'hello there you',
    });
  });

  it('reads the text from stdin with `-`, without its last newline', async () => {
    api.on('POST /v1/messages/send', { body: { message: message() } });
    const run = startCli(['send', 'Family', '-', '--data', api.dataDir]);
    run.stdin.end('line one\nline two\n');
    expect(await run.exit).toBe(0);
    expect(api.calls('POST /v1/messages/send')[0]?.body).toEqual({
      pool: 'Family',
      text: 'line one\nline two',
    });
  });

  it('sends text that looks like a flag after --', async () => {
    api.on('POST /v1/messages/send', { body: { message: message() } });
    const argv = ['send', '--data', api.dataDir, 'Family', '--', '--json', 'is', 'a', 'flag'];
    expect((await runCli(argv)).code).toBe(0);
    expect(api.calls('POST /v1/messages/send')[0]?.body).toEqual({
      pool: 'Family',
      text: '--json is a flag',
    });
  });

  it('prints the sent message with --json and refuses an empty one', async () => {
    api.on('POST /v1/messages/send', { body: { message: message() } });
    const sent = await cli('send', 'Family', 'hi', '--json');
    expect(JSON.parse(sent.stdout)).toEqual({ message: message() });
    const empty = await cli('send', 'Family', ' ');
    expect(empty.code).toBe(64);
    expect((await cli('send', 'Family')).code).toBe(64);
  });
});

describe('poolnet history', () => {
  const page = {
    messages: [
      message({ id: 'm1', text: 'hello' }),
      message({
        id: 'm2',
        author: 'dev-bob-0004',
        userId: 'user-bob-0002',
        authorName: 'Bob',
        mine: false,
        createdAt: new Date(2025, 10, 24, 12, 5).getTime(),
        text: 'hi Ada',
      }),
    ],
    hasOlder: false,
    hasNewer: false,
  };

  it('prints `time  name (device): text` lines with device names from the members', async () => {
    api.on('GET /v1/messages', { body: page });
    api.on('GET /v1/pools/members', { body: { members: MEMBERS } });
    const { code, stdout } = await cli('history', 'Family');
    expect(code).toBe(0);
    expect(stdout).toBe('12:03  Ada (laptop): hello\n12:05  Bob (desk): hi Ada\n');
    const query = api.calls('GET /v1/messages')[0]?.query;
    expect(Object.fromEntries(query ?? [])).toEqual({ pool: 'Family' });
  });

  it('passes the cursor and limit, shows ids with --verbose and a paging hint', async () => {
    api.on('GET /v1/messages', { body: { ...page, hasOlder: true } });
    api.on('GET /v1/pools/members', { body: { members: MEMBERS } });
    const { stdout } = await cli('history', 'Family', '--before', 'm9', '--limit', '2', '-v');
    const query = api.calls('GET /v1/messages')[0]?.query;
    expect(Object.fromEntries(query ?? [])).toEqual({ pool: 'Family', before: 'm9', limit: '2' });
    expect(stdout).toContain('(older messages: poolnet history Family --before m1)');
    expect(stdout).toContain('m1  12:03  Ada (laptop): hello');
  });

  it('falls back to short ids when the members cannot be read, and dates old messages', async () => {
    api.on('GET /v1/messages', { body: page });
    const { stdout } = await runCli(['history', 'Family', '--data', api.dataDir], {
      now: () => new Date(2025, 10, 26).getTime(),
    });
    expect(stdout).toContain('2025-11-24 12:03  Ada (dev-lapt): hello');
  });

  it('prints the page as is with --json', async () => {
    api.on('GET /v1/messages', { body: page });
    const { stdout } = await cli('history', 'Family', '--json');
    expect(JSON.parse(stdout)).toEqual(page);
  });

  it('refuses --before with --after and a bad --limit', async () => {
    expect((await cli('history', 'Family', '--before', 'a', '--after', 'b')).code).toBe(64);
    expect((await cli('history', 'Family', '--limit', '0')).code).toBe(64);
    expect((await cli('history', 'Family', '--limit', '501')).code).toBe(64);
    expect(api.requests).toEqual([]);
  });
});
