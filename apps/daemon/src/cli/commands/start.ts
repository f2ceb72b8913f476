/**
 * `poolnet start`: a sync server and this machine's daemon in one process, for trying Poolnet
 * on one machine (the README's quick start). Server data in DIR/server, the device in
 * DIR/device; the other commands reach the device with `--data DIR/device`.
 */
import { join, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { CliError, EXIT, usageError } from '../errors.js';

export const start = defineCommand({
  name: 'start',
  group: 'run',
  args: '[--port 8080] [--data ./data]',
  summary: 'run a sync server and a device daemon together (try Poolnet on one machine)',
  details: [
    'The server keeps its data in DIR/server, the device in DIR/device. Other devices join',
    'with `poolnet up --server http://<this host>:PORT`.',
  ],
  options: {
    port: { type: 'string', value: 'PORT', description: 'HTTP port of the sync server (8080)' },
    data: {
      type: 'string',
      value: 'DIR',
      description: 'where the server and the device keep their data (./data)',
    },
  },
  async run(ctx, values) {
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw usageError(`--port ${String(values.port)}: not a port number`, 'start');
    }
    const root = resolve(values.data ?? './data');
    const sync = await import('@poolnet/sync-server');
    const serverUrl = `http://127.0.0.1:${port}`;
    const config = sync.parseServerConfig({
      port,
      host: '127.0.0.1',
      dataDir: join(root, 'server'),
      stun: { port: 0, host: '127.0.0.1' },
      rp: {
        id: 'localhost',
        name: 'Poolnet',
        origins: [`http://localhost:${port}`, serverUrl],
      },
      logLevel: 'warn',
      // The browser node's page at `/` (invite links open there), when the UI is built.
      webDir: process.env.POOLNET_WEB_DIR ?? sync.builtWebDir(),
    });
    let server;
    try {
      server = await sync.startPoolnetServer(config);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new CliError('SERVER_FAILED', `the server did not start: ${message}`, EXIT.refused, {
        cause,
      });
    }
    // A daemon serves many peers: one failed promise is logged, never the end of the process.
    process.on('unhandledRejection', (reason) => ctx.out.note(`unexpected: ${String(reason)}`));
    const runDaemon = await ctx.io.loadDaemon();
    const device = join(root, 'device');
    const daemon = await runDaemon({
      serverUrl,
      dataDir: device,
      log: (line) => ctx.out.note(line),
    });
    const rel = values.data ?? './data';
    if (ctx.json) {
      ctx.out.jsonLine({ serverUrl, device, port: daemon.port, ui: daemon.uiUrl });
    } else {
      ctx.out.line(`poolnet sync server: ${serverUrl}`);
      ctx.out.line(`this device's daemon: http://127.0.0.1:${daemon.port} (data ${device})`);
      ctx.out.line('');
      if (daemon.uiUrl) ctx.out.line(`Open the app: ${daemon.uiUrl}`);
      // Passkeys in a page need the relying party's host name (localhost), not 127.0.0.1.
      ctx.out.line(
        `Or join from any browser tab, nothing installed: http://localhost:${String(port)}/`,
      );
      ctx.out.line('');
      ctx.out.line('Try, in another terminal:');
      ctx.out.line(`  npx poolnet register --name You --data ${rel}/device`);
      ctx.out.line(`  npx poolnet pool create Friends --data ${rel}/device`);
      ctx.out.line(`  npx poolnet pool invite Friends --data ${rel}/device`);
      ctx.out.line(`  npx poolnet chat Friends --data ${rel}/device`);
      ctx.out.line('A second device on this machine:');
      ctx.out.line(`  npx poolnet up --server ${serverUrl} --data ${rel}/device2`);
    }
    const stop = new AbortController();
    const signal = await ctx.io.untilStopped(stop.signal);
    stop.abort();
    if (!ctx.json) ctx.out.line(ctx.out.style.dim(`${signal}: stopping`));
    await daemon.close();
    await server.close();
    return EXIT.ok;
  },
});
