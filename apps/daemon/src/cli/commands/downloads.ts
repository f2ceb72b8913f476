/** `poolnet downloads [POOL]`: the downloads this device finished, failed or cancelled. */
import type { DownloadRecord } from '../../api-types.js';
import { formatBytes } from '../bytes.js';
import { clockTime, shortId } from '../clock.js';
import { defineCommand } from '../command.js';
import { usageError } from '../errors.js';

export const downloads = defineCommand({
  name: 'downloads',
  group: 'files',
  args: '[POOL] [--limit N]',
  summary: 'list past downloads, newest first',
  details: ['Every pool unless POOL is given; kept across restarts.'],
  options: {
    limit: { type: 'string', value: 'N', description: 'at most N downloads (default 50)' },
  },
  positionals: { min: 0, max: 1 },
  async run(ctx, values, [pool]) {
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = /^\d+$/.test(values.limit) ? Number(values.limit) : 0;
      if (limit < 1) throw usageError('--limit must be a whole number ≥ 1', 'downloads');
    }
    const client = await ctx.client();
    const answer = await client.get<{ downloads: DownloadRecord[] }>('/v1/downloads', {
      pool,
      limit,
    });
    if (ctx.json) return ctx.out.document(answer);
    if (answer.downloads.length === 0) return ctx.out.line('no downloads yet');
    const now = ctx.io.now();
    ctx.out.table(
      ['WHEN', 'STATE', 'NAME', 'SIZE', ...(pool === undefined ? ['POOL'] : []), 'PATH / ERROR'],
      answer.downloads.map((d) => [
        clockTime(d.finishedAt, now),
        d.auto ? `${d.state} (auto)` : d.state,
        d.name,
        formatBytes(d.size),
        ...(pool === undefined ? [shortId(d.pool)] : []),
        d.path ?? d.error ?? '',
      ]),
    );
  },
});
