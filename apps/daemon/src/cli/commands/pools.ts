/** `poolnet pool create|ls|invite|join|leave|members`. */
import type { Invite, Member, Pool } from '../../api-types.js';
import { clockTime, shortId } from '../clock.js';
import { type CommandContext, defineCommand } from '../command.js';
import { formatDuration, parseDuration } from '../duration.js';
import { usageError } from '../errors.js';
import { align } from '../output.js';

const GROUP = 'pools';

function printPool(ctx: CommandContext, verb: string, pool: Pool): void {
  const { bold, dim } = ctx.out.style;
  ctx.out.line(`${verb} ${bold(pool.name)} ${dim(`(${pool.id})`)}`);
}

export const poolCreate = defineCommand({
  name: 'pool create',
  group: GROUP,
  args: 'NAME',
  summary: 'create a pool you own',
  positionals: { min: 1, max: Infinity },
  async run(ctx, _values, words) {
    const name = words.join(' ').trim();
    if (name === '') throw usageError('pool create needs a NAME', 'pool create');
    const client = await ctx.client();
    const answer = await client.post<{ pool: Pool }>('/v1/pools/create', { name });
    if (ctx.json) return ctx.out.document(answer);
    printPool(ctx, 'created pool', answer.pool);
  },
});

export const poolList = defineCommand({
  name: 'pool ls',
  group: GROUP,
  summary: 'list your pools',
  async run(ctx) {
    const client = await ctx.client();
    const answer = await client.get<{ pools: Pool[] }>('/v1/pools');
    if (ctx.json) return ctx.out.document(answer);
    if (answer.pools.length === 0) {
      return ctx.out.line('no pools yet: `poolnet pool create NAME` or `poolnet pool join LINK`');
    }
    const { bold, green } = ctx.out.style;
    ctx.out.table(
      ['NAME', 'ID', 'MEMBERS', 'ONLINE', 'UNREAD', 'ROLE', 'HOME'],
      answer.pools.map((pool) => [
        pool.name,
        ctx.verbose ? pool.id : shortId(pool.id),
        String(pool.members),
        pool.online > 0 ? green(String(pool.online)) : '0',
        pool.unread > 0 ? bold(String(pool.unread)) : '0',
        pool.role,
        pool.isHome ? '*' : '',
      ]),
    );
  },
});

export const poolInvite = defineCommand({
  name: 'pool invite',
  group: GROUP,
  args: 'POOL [--expires 1h] [--uses N]',
  summary: 'make an invite link for a pool',
  details: ['POOL is a pool id or name. Durations: 45s, 30m, 1h, 7d, 2w or sums like 1h30m.'],
  options: {
    expires: {
      type: 'string',
      value: 'DURATION',
      description: "how long the link stays valid (default: the daemon's)",
    },
    uses: { type: 'string', value: 'N', description: 'how many people may join with it' },
  },
  positionals: { min: 1 },
  async run(ctx, values, [pool = '']) {
    let expiresSeconds: number | undefined;
    if (values.expires !== undefined) {
      expiresSeconds = parseDuration(values.expires);
      if (expiresSeconds === undefined) {
        throw usageError(
          `--expires ${values.expires}: not a duration (use e.g. 30m, 1h, 7d)`,
          'pool invite',
        );
      }
    }
    let uses: number | undefined;
    if (values.uses !== undefined) {
      uses = /^\d+$/.test(values.uses) ? Number(values.uses) : 0;
      if (uses < 1) throw usageError(`--uses ${values.uses}: not a positive number`, 'pool invite');
    }
    const client = await ctx.client();
    const answer = await client.post<Invite>('/v1/pools/invite', { pool, expiresSeconds, uses });
    if (ctx.json) return ctx.out.document(answer);
    const { dim } = ctx.out.style;
    const now = ctx.io.now();
    ctx.out.line(answer.link);
    ctx.out.line(
      dim(
        `valid until ${clockTime(answer.expiresAt, now)} (${formatDuration((answer.expiresAt - now) / 1000)}), ` +
          `${answer.maxUses} ${answer.maxUses === 1 ? 'use' : 'uses'}; join with: poolnet pool join LINK`,
      ),
    );
  },
});

export const poolJoin = defineCommand({
  name: 'pool join',
  group: GROUP,
  args: 'LINK',
  summary: 'join a pool with an invite link',
  details: ['LINK is the whole link or its bare token.'],
  positionals: { min: 1 },
  async run(ctx, _values, [link = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ pool: Pool }>('/v1/pools/join', { link: link.trim() });
    if (ctx.json) return ctx.out.document(answer);
    printPool(ctx, 'joined pool', answer.pool);
  },
});

export const poolLeave = defineCommand({
  name: 'pool leave',
  group: GROUP,
  args: 'POOL',
  summary: 'leave a pool',
  positionals: { min: 1 },
  async run(ctx, _values, [pool = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ ok: boolean }>('/v1/pools/leave', { pool });
    if (ctx.json) return ctx.out.document(answer);
    ctx.out.line(`left pool ${pool}`);
  },
});

export const poolMembers = defineCommand({
  name: 'pool members',
  group: GROUP,
  args: 'POOL',
  summary: "list a pool's people and their devices",
  details: ['● online, ○ offline.'],
  positionals: { min: 1 },
  async run(ctx, _values, [pool = '']) {
    const client = await ctx.client();
    const answer = await client.get<{ members: Member[] }>('/v1/pools/members', { pool });
    if (ctx.json) return ctx.out.document(answer);
    const { bold, dim, green } = ctx.out.style;
    for (const member of answer.members) {
      const id = ctx.verbose ? ` ${dim(member.userId)}` : '';
      ctx.out.line(`${bold(member.displayName)}  ${dim(member.role)}${id}`);
      ctx.out.lines(
        align(
          member.devices.map((device) => [
            device.online ? green('●') : dim('○'),
            device.name,
            dim(device.type),
            ...(ctx.verbose ? [dim(device.id)] : []),
          ]),
        ).map((row) => `  ${row}`),
      );
    }
  },
});
