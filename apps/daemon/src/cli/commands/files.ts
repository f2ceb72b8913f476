/** File commands: `share`, `files`, `download`, `retract`. */
import type { DownloadEvent, FileView } from '../api-types.js';
import { defineCommand } from '../command.js';

const GROUP = 'files';

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? String(value) : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}

export const share = defineCommand({
  name: 'share',
  group: GROUP,
  args: 'POOL PATH',
  summary: 'offer a file to a pool (nothing is copied)',
  details: ['The file stays where it is; if it moves or changes, the offer is withdrawn.'],
  positionals: { min: 2, max: 2 },
  async run(ctx, _values, [pool = '', path = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ file: FileView }>('/v1/files/share', { pool, path });
    if (ctx.json) return ctx.out.document(answer);
    ctx.out.line(
      `offered ${answer.file.name} (${formatBytes(answer.file.size)}) as ${answer.file.id}`,
    );
  },
});

export const files = defineCommand({
  name: 'files',
  group: GROUP,
  args: 'POOL',
  summary: 'list the files offered in a pool',
  positionals: { min: 1, max: 1 },
  async run(ctx, _values, [pool = '']) {
    const client = await ctx.client();
    const answer = await client.get<{ files: FileView[] }>('/v1/files', { pool });
    if (ctx.json) return ctx.out.document(answer);
    if (answer.files.length === 0) return ctx.out.line('no files offered yet');
    ctx.out.table(
      ['NAME', 'ID', 'SIZE', 'SEEDERS', 'HAVE'],
      answer.files.map((f) => [
        f.name,
        f.id,
        formatBytes(f.size),
        String(f.seedersOnline),
        f.mine ? 'mine' : f.have ? 'yes' : f.downloading ? '…' : '',
      ]),
    );
  },
});

export const download = defineCommand({
  name: 'download',
  group: GROUP,
  args: 'POOL FILEID [--to DIR]',
  summary: 'download an offered file (resumes if interrupted)',
  details: ['A progress bar on a terminal; --json prints the final path and SHA-256.'],
  options: {
    to: {
      type: 'string',
      value: 'DIR',
      description: "target folder (default the daemon's downloads folder)",
    },
  },
  positionals: { min: 2, max: 2 },
  async run(ctx, values, [pool = '', file = '']) {
    const client = await ctx.client();
    const tty = ctx.io.stdout.isTTY === true && !ctx.json;
    const started = Date.now();
    const stream = tty
      ? await client.events((event) => {
          if (event.type !== 'download' || event.file !== file) return;
          ctx.io.stdout.write(`\r${progressLine(event, started)}`);
        })
      : undefined;
    try {
      const answer = await client.post<{ path: string; sha256: string }>('/v1/files/download', {
        pool,
        file,
        ...(values.to === undefined ? {} : { to: values.to }),
      });
      if (ctx.json) return ctx.out.document(answer);
      if (tty) ctx.io.stdout.write('\n');
      ctx.out.line(`saved ${answer.path}`);
      ctx.out.line(ctx.out.style.dim(`sha256 ${answer.sha256}`));
    } finally {
      stream?.close();
    }
  },
});

/** `[#####.....]  45%  12.3 MiB/s  ETA 4s` */
function progressLine(event: DownloadEvent, started: number): string {
  const fraction = event.size === 0 ? 1 : event.bytes / event.size;
  const width = 24;
  const filled = Math.round(fraction * width);
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  const speed = event.bytes / seconds;
  const eta = speed > 0 ? Math.round((event.size - event.bytes) / speed) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatBytes(speed)}/s  ETA ${eta}s `;
}

export const retract = defineCommand({
  name: 'retract',
  group: GROUP,
  args: 'POOL FILEID',
  summary: 'withdraw a file you offered',
  positionals: { min: 2, max: 2 },
  async run(ctx, _values, [pool = '', file = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ ok: boolean }>('/v1/files/retract', { pool, file });
    if (ctx.json) return ctx.out.document(answer);
    ctx.out.line(`withdrew ${file}`);
  },
});
