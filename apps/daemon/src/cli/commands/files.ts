/** File commands: `share`, `files`, `download`, `cancel`, `retract`. */
import type { DownloadEvent, FileView, FolderFileResult, FolderView } from '../../api-types.js';
import { formatBytes } from '../bytes.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT, usageError } from '../errors.js';

const GROUP = 'files';

/** "image 640x480", "file". */
function kindOf(file: FileView): string {
  return file.width !== null && file.height !== null
    ? `${file.kind} ${file.width}x${file.height}`
    : file.kind;
}

function haveOf(file: FileView): string {
  return file.mine ? 'mine' : file.have ? 'yes' : file.downloading ? '…' : '';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const share = defineCommand({
  name: 'share',
  group: GROUP,
  args: 'POOL PATH',
  summary: 'offer a file or a folder to a pool (nothing is copied)',
  details: [
    'Files stay where they are; if one moves or changes, its offer is withdrawn.',
    'A PNG, JPEG, WebP or GIF (by content) is offered as an image with a small preview.',
    'A folder offers every regular file under it (symbolic links and the like are skipped).',
  ],
  positionals: { min: 2, max: 2 },
  async run(ctx, _values, [pool = '', path = '']) {
    const client = await ctx.client();
    const answer = await client.post<
      { file: FileView } | { folder: FolderView; skipped: Array<{ path: string; reason: string }> }
    >('/v1/files/share', { pool, path });
    if (ctx.json) return ctx.out.document(answer);
    if ('folder' in answer) {
      const { folder, skipped } = answer;
      ctx.out.line(
        `offered folder ${folder.name} (${plural(folder.fileCount, 'file')}, ${formatBytes(folder.size)}) as ${folder.id}`,
      );
      for (const s of skipped) ctx.out.note(`skipped ${s.path}: ${s.reason}`);
      return;
    }
    const { file } = answer;
    const kind = file.kind === 'file' ? '' : `, ${kindOf(file)}`;
    ctx.out.line(`offered ${file.name} (${formatBytes(file.size)}${kind}) as ${file.id}`);
  },
});

export const files = defineCommand({
  name: 'files',
  group: GROUP,
  args: 'POOL [FOLDERID]',
  summary: "list a pool's files and folders, or one folder's files",
  details: ['A folder is one line: its number of files, their size, and how many you have.'],
  positionals: { min: 1, max: 2 },
  async run(ctx, _values, [pool = '', folderId]) {
    const client = await ctx.client();
    const header = ['NAME', 'ID', 'KIND', 'SIZE', 'SEEDERS', 'HAVE'];
    if (folderId !== undefined) {
      const answer = await client.get<{ folder: FolderView; files: FileView[] }>(
        '/v1/files/folder',
        { pool, folder: folderId },
      );
      if (ctx.json) return ctx.out.document(answer);
      const { folder } = answer;
      ctx.out.line(
        `${folder.name}/  ${plural(folder.fileCount, 'file')}, ${formatBytes(folder.size)}, ${folder.mine ? 'mine' : `${folder.haveCount} here`}`,
      );
      ctx.out.table(
        ['PATH', ...header.slice(1)],
        answer.files.map((f) => [
          f.relativePath === '' ? f.name : `${f.relativePath}/${f.name}`,
          f.id,
          kindOf(f),
          formatBytes(f.size),
          String(f.seedersOnline),
          haveOf(f),
        ]),
      );
      return;
    }
    const answer = await client.get<{ files: FileView[]; folders: FolderView[] }>('/v1/files', {
      pool,
    });
    if (ctx.json) return ctx.out.document(answer);
    if (answer.files.length === 0 && answer.folders.length === 0) {
      return ctx.out.line('no files offered yet');
    }
    ctx.out.table(header, [
      ...answer.folders.map((d) => [
        `${d.name}/`,
        d.id,
        `folder, ${plural(d.fileCount, 'file')}`,
        formatBytes(d.size),
        String(d.seedersOnline),
        d.mine ? 'mine' : `${d.haveCount}/${d.fileCount}`,
      ]),
      ...answer.files.map((f) => [
        f.name,
        f.id,
        kindOf(f),
        formatBytes(f.size),
        String(f.seedersOnline),
        haveOf(f),
      ]),
    ]);
  },
});

export const download = defineCommand({
  name: 'download',
  group: GROUP,
  args: 'POOL ID [--to DIR] [--all | --missing]',
  summary: 'download a file, or a folder with --all or --missing (resumes)',
  details: [
    'A progress bar on a terminal; --json prints the final path and SHA-256.',
    'A folder needs --all (every file) or --missing (the files this device does not have);',
    'its files go to DIR/<folder name>/<path inside the folder>/.',
  ],
  options: {
    to: {
      type: 'string',
      value: 'DIR',
      description: "target folder (default the daemon's downloads folder)",
    },
    all: { type: 'boolean', description: 'a folder: every one of its files' },
    missing: { type: 'boolean', description: 'a folder: only the files not on this device' },
  },
  positionals: { min: 2, max: 2 },
  async run(ctx, values, [pool = '', id = '']) {
    if (values.all === true && values.missing === true) {
      throw usageError('download takes --all or --missing, not both', 'download');
    }
    const to = values.to === undefined ? {} : { to: values.to };
    const client = await ctx.client();
    if (values.all === true || values.missing === true) {
      const answer = await client.post<{
        folder: FolderView;
        path: string;
        files: FolderFileResult[];
      }>('/v1/files/download-folder', {
        pool,
        folder: id,
        mode: values.all === true ? 'all' : 'missing',
        ...to,
      });
      const failed = answer.files.filter((f) => f.outcome === 'failed');
      if (ctx.json) {
        ctx.out.document(answer);
        return failed.length > 0 ? EXIT.refused : EXIT.ok;
      }
      const fetched = answer.files.filter((f) => f.outcome === 'fetched').length;
      const copied = answer.files.filter((f) => f.outcome === 'copied').length;
      const kept = answer.files.filter((f) => f.outcome === 'kept').length;
      const parts = [`${fetched} fetched`];
      if (copied > 0) parts.push(`${copied} copied`);
      if (kept > 0) parts.push(`${kept} already here`);
      ctx.out.line(`folder ${answer.folder.name} in ${answer.path}: ${parts.join(', ')}`);
      for (const f of failed) {
        const where = f.relativePath === '' ? f.name : `${f.relativePath}/${f.name}`;
        ctx.out.note(`failed ${where}: ${f.error ?? 'unknown error'}`);
      }
      return failed.length > 0 ? EXIT.refused : EXIT.ok;
    }
    const tty = ctx.io.stdout.isTTY === true && !ctx.json;
    const started = Date.now();
    const stream = tty
      ? await client.events((event) => {
          if (event.type !== 'download' || event.file !== id) return;
          ctx.io.stdout.write(`\r${progressLine(event, started)}`);
        })
      : undefined;
    try {
      let answer: { path: string; sha256: string };
      try {
        answer = await client.post('/v1/files/download', { pool, file: id, ...to });
      } catch (err) {
        if (err instanceof CliError && err.code === 'IS_FOLDER') {
          throw usageError(err.message, 'download', err);
        }
        throw err;
      }
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

export const cancel = defineCommand({
  name: 'cancel',
  group: GROUP,
  args: 'POOL FILEID',
  summary: 'cancel a download under way (its partial file is removed)',
  positionals: { min: 2, max: 2 },
  async run(ctx, _values, [pool = '', file = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ ok: boolean }>('/v1/files/cancel', { pool, file });
    if (ctx.json) return ctx.out.document(answer);
    ctx.out.line(`cancelled the download of ${file}`);
  },
});

export const retract = defineCommand({
  name: 'retract',
  group: GROUP,
  args: 'POOL ID',
  summary: 'withdraw a file or a folder you offered',
  positionals: { min: 2, max: 2 },
  async run(ctx, _values, [pool = '', file = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ ok: boolean }>('/v1/files/retract', { pool, file });
    if (ctx.json) return ctx.out.document(answer);
    ctx.out.line(`withdrew ${file}`);
  },
});
