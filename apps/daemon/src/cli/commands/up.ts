/** `poolnet up`: runs this device's daemon in the foreground until SIGINT or SIGTERM. */
import { resolve } from 'node:path';
import { parseBytes } from '../bytes.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT, usageError } from '../errors.js';

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const up = defineCommand({
  name: 'up',
  group: 'run',
  args: '--server URL [--data DIR] [--auto-fetch-images SIZE] [--cache-size SIZE]',
  summary: "run this device's daemon in the foreground",
  details: [
    'The daemon keeps its account, keys and messages in DIR and serves the local API the',
    'other commands use. Log lines go to stderr.',
  ],
  options: {
    server: {
      type: 'string',
      value: 'URL',
      description: 'the sync server, e.g. http://127.0.0.1:8080 (a cluster: URLs, comma-separated)',
    },
    'auto-fetch-images': {
      type: 'string',
      value: 'SIZE',
      description: 'fetch images others offer up to SIZE at once (default 16MiB; 0: never)',
    },
    'cache-size': {
      type: 'string',
      value: 'SIZE',
      description: 'relay cache of chunks forwarded for others, per pool (default 256MiB; 0: none)',
    },
  },
  async run(ctx, values) {
    const serverUrl = values.server?.trim();
    if (serverUrl === undefined || serverUrl === '') {
      throw usageError('up needs --server URL', 'up');
    }
    // Several comma-separated URLs: the instances of one clustered server.
    for (const url of serverUrl.split(',')) {
      if (!isHttpUrl(url.trim())) throw usageError(`--server ${url}: not an http(s) URL`, 'up');
    }
    const autoText = values['auto-fetch-images'];
    const autoFetchImageBytes = autoText === undefined ? undefined : parseBytes(autoText);
    if (autoText !== undefined && autoFetchImageBytes === undefined) {
      throw usageError(`--auto-fetch-images ${autoText}: not a size like 16MiB or 0`, 'up');
    }
    const cacheText = values['cache-size'];
    const cacheBytes = cacheText === undefined ? undefined : parseBytes(cacheText);
    if (cacheText !== undefined && cacheBytes === undefined) {
      throw usageError(`--cache-size ${cacheText}: not a size like 256MiB or 0`, 'up');
    }
    // A daemon serves many peers: one failed promise is logged, never the end of the process.
    process.on('unhandledRejection', (reason) => ctx.out.note(`unexpected: ${String(reason)}`));
    const runDaemon = await ctx.io.loadDaemon();
    const log = (line: string) => ctx.out.note(line);
    let daemon: Awaited<ReturnType<typeof runDaemon>>;
    try {
      daemon = await runDaemon({
        serverUrl,
        dataDir: resolve(ctx.dataDir),
        log,
        ...(autoFetchImageBytes === undefined ? {} : { autoFetchImageBytes }),
        ...(cacheBytes === undefined ? {} : { cacheBytes }),
      });
    } catch (cause) {
      if (cause instanceof CliError) throw cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      const code = (cause as { code?: unknown } | null)?.code;
      throw new CliError(
        typeof code === 'string' ? code : 'DAEMON_FAILED',
        `the daemon did not start: ${message}`,
        EXIT.refused,
        { cause },
      );
    }
    const url = `http://127.0.0.1:${daemon.port}`;
    if (ctx.json)
      ctx.out.jsonLine({
        dataDir: ctx.dataDir,
        port: daemon.port,
        url,
        ...(daemon.uiUrl ? { ui: daemon.uiUrl } : {}),
      });
    else {
      ctx.out.line(`poolnet daemon for ${ctx.dataDir} on ${url}`);
      if (daemon.uiUrl) ctx.out.line(`open the app: ${daemon.uiUrl}`);
    }

    const stop = new AbortController();
    const signal = await ctx.io.untilStopped(stop.signal);
    stop.abort();
    if (!ctx.json) ctx.out.line(ctx.out.style.dim(`${signal}: stopping`));
    await daemon.close();
    return EXIT.ok;
  },
});
