/**
 * The raw TCP copy of bench:transfer: this process streams the file over one node:net
 * connection on 127.0.0.1 to one receiver process (`tcp-receiver.ts`) that writes it to disk.
 * Timed: from connecting until the receiver has closed the file. The copy is hashed after.
 */
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses } from './child-processes.js';
import { sha256File } from './random-file.js';

const RECEIVER = fileURLToPath(new URL('./tcp-receiver.ts', import.meta.url));
const BENCH = fileURLToPath(new URL('..', import.meta.url));

export interface TcpCopyOptions {
  readonly root: string;
  readonly file: string;
  readonly sha256: string;
  readonly children: ChildProcesses;
  readonly timeoutMs: number;
  log(text: string): void;
}

/** The milliseconds one copy took. */
export async function runTcpCopy(options: TcpCopyOptions): Promise<number> {
  await mkdir(options.root, { recursive: true });
  const out = join(options.root, 'copy.bin');
  const receiver = options.children.start(
    'tcp-receiver',
    process.execPath,
    ['--import', 'tsx', RECEIVER, out],
    { cwd: BENCH },
  );
  const port = await receiver.waitFor(
    (line) => numberField(line, 'port'),
    'listening port',
    60_000,
  );

  const started = performance.now();
  const done = receiver.waitFor(
    (line) => numberField(line, 'bytes'),
    'end of the copy',
    options.timeoutMs,
  );
  const socket = connect(port, '127.0.0.1');
  await pipeline(createReadStream(options.file, { highWaterMark: 2 ** 20 }), socket);
  const bytes = await done;
  const ms = performance.now() - started;
  options.log(`${bytes} bytes in ${Math.round(ms)} ms`);

  const onDisk = await sha256File(out);
  if (onDisk !== options.sha256) throw new Error(`the TCP copy hashes to ${onDisk}`);
  return ms;
}

function numberField(line: string, field: string): number | undefined {
  try {
    const value = (JSON.parse(line) as Record<string, unknown>)[field];
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
