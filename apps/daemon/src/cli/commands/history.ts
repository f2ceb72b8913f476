/** `poolnet history POOL`: a page of a pool's messages, oldest first. */
import type { Member, MessagePage } from '../../api-types.js';
import { defineCommand } from '../command.js';
import { usageError } from '../errors.js';
import type { LocalClient } from '../local-client.js';
import { deviceNames, messageLine } from '../message-line.js';

/** Device names of a pool's members; none when the members cannot be read (names fall back to ids). */
export async function poolDeviceNames(
  client: LocalClient,
  pool: string,
): Promise<Map<string, string>> {
  try {
    const { members } = await client.get<{ members: Member[] }>('/v1/pools/members', { pool });
    return deviceNames(members);
  } catch {
    return new Map();
  }
}

export const history = defineCommand({
  name: 'history',
  group: 'messages',
  args: 'POOL [--before ID | --after ID] [--limit N]',
  summary: "show a pool's messages",
  details: ['The latest page unless --before or --after; ids with --verbose.'],
  options: {
    before: { type: 'string', value: 'ID', description: 'messages older than message ID' },
    after: { type: 'string', value: 'ID', description: 'messages newer than message ID' },
    limit: { type: 'string', value: 'N', description: 'at most N messages, 1 to 500 (default 50)' },
  },
  positionals: { min: 1 },
  async run(ctx, values, [pool = '']) {
    if (values.before !== undefined && values.after !== undefined) {
      throw usageError('history takes --before or --after, not both', 'history');
    }
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = /^\d+$/.test(values.limit) ? Number(values.limit) : 0;
      if (limit < 1 || limit > 500) {
        throw usageError(`--limit ${values.limit}: use a number from 1 to 500`, 'history');
      }
    }
    const client = await ctx.client();
    const page = await client.get<MessagePage>('/v1/messages', {
      pool,
      before: values.before,
      after: values.after,
      limit,
    });
    if (ctx.json) return ctx.out.document(page);
    const { dim } = ctx.out.style;
    const first = page.messages[0];
    const last = page.messages.at(-1);
    if (page.hasOlder && first !== undefined) {
      ctx.out.line(dim(`(older messages: poolnet history ${pool} --before ${first.id})`));
    }
    if (page.messages.length === 0) ctx.out.line(dim('no messages'));
    const names = await poolDeviceNames(client, pool);
    const now = ctx.io.now();
    for (const message of page.messages) {
      ctx.out.line(messageLine(message, names, ctx.out.style, { now, verbose: ctx.verbose }));
    }
    if (page.hasNewer && last !== undefined) {
      ctx.out.line(dim(`(newer messages: poolnet history ${pool} --after ${last.id})`));
    }
  },
});
