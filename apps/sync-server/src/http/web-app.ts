/**
 * The browser node's page (the built web UI, apps/web/dist) served at `/` of the sync
 * server, so someone can join a pool with nothing installed: static files, `index.html` for
 * app routes (`/join#TOKEN` invite links, `/pools/…`), and `/app-config.json` telling the page
 * to run the engine itself against this server. API routes are matched first and never
 * reach here; an unknown `/v1/…` path stays a JSON 404.
 *
 * Passkeys only work on a page whose host is the relying party id (or below it): a page
 * asked for under another name the server answers to (127.0.0.1 when the id is `localhost`)
 * is redirected to the allowed origin on the id, keeping path and fragment.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_TYPE, TEXT_TYPE, pageHeaders, sendStaticFile, sendText } from './static-files.js';

/** A Host header as browsers send it: a name or address and an optional port. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface WebAppOptions {
  /** The built UI (must hold index.html). */
  readonly dir: string;
  /** Whether this server speaks HTTPS (for the page's own origin). */
  readonly tls: boolean;
  /** The WebAuthn relying party: pages are sent to an origin on its id. */
  readonly rp: { readonly id: string; readonly origins: readonly string[] };
  /** Take the scheme from `X-Forwarded-Proto` (behind a TLS-terminating proxy). */
  readonly trustProxy: boolean;
}

/** apps/web/dist of this monorepo, when it has been built; undefined otherwise. */
export function builtWebDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../../web/dist', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/** The page may load only its own files and talk only to this server. */
export function webContentSecurityPolicy(origin: string | undefined): string {
  const socket = origin === undefined ? '' : ` ${origin.replace(/^http/, 'ws')}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self'${socket}`,
    // The browser node's OPFS file worker (apps/web/src/node/opfs-worker.ts), a file of the app.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

export class WebApp {
  private readonly root: string;

  constructor(private readonly options: WebAppOptions) {
    this.root = resolve(options.dir);
  }

  /** Answers a GET or HEAD that no API route took. */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const origin = this.originOf(req);
    const headers = pageHeaders(webContentSecurityPolicy(origin));
    if (pathname === '/app-config.json') {
      // The page's own origin: what it fetches and opens sockets to, and what passkeys accept.
      const text = JSON.stringify({ mode: 'browser', serverUrl: origin ?? this.rpOrigin() ?? '' });
      return sendText(
        req,
        res,
        200,
        { ...headers, 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
        text,
      );
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(req, res, 400, { ...headers, 'content-type': TEXT_TYPE }, 'bad path\n');
    }
    const candidate = normalize(join(this.root, decoded));
    const inside = candidate === this.root || candidate.startsWith(this.root + sep);
    let file = inside ? candidate : join(this.root, 'index.html');
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory() && candidate !== this.root) {
      // A folder of its own pages (`/contract/`): its index.html.
      file = join(candidate, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) {
      // A missing asset stays a 404 so a broken build is visible; app routes get the page.
      if (extname(decoded) !== '') {
        return sendText(req, res, 404, { ...headers, 'content-type': TEXT_TYPE }, 'not found\n');
      }
      const redirect = this.passkeyOrigin(req, origin);
      if (redirect !== undefined) {
        res.writeHead(302, { ...headers, location: `${redirect}${req.url ?? '/'}` });
        res.end();
        return;
      }
      file = join(this.root, 'index.html');
      info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        const text = 'The web UI is not built: run `npm run build:web`.\n';
        return sendText(req, res, 503, { ...headers, 'content-type': TEXT_TYPE }, text);
      }
    }
    await sendStaticFile(req, res, file, info.size, headers);
  }

  /** `scheme://host` of the request, when its Host header is well formed. */
  private originOf(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    if (host === undefined || !HOST.test(host)) return undefined;
    const forwarded = this.options.trustProxy ? String(req.headers['x-forwarded-proto'] ?? '') : '';
    const scheme =
      forwarded === 'https' || forwarded === 'http'
        ? forwarded
        : this.options.tls
          ? 'https'
          : 'http';
    return `${scheme}://${host}`;
  }

  /** The allowed origin on the relying party id, when the page was asked for under another name. */
  private passkeyOrigin(req: IncomingMessage, origin: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    const { id, origins } = this.options.rp;
    const onId = (hostname: string) => hostname === id || hostname.endsWith(`.${id}`);
    if (onId(new URL(origin).hostname)) return undefined;
    const port = new URL(origin).port;
    const target = origins.find((o) => {
      const url = new URL(o);
      return onId(url.hostname) && url.port === port;
    });
    return target === undefined || req.method !== 'GET' ? undefined : new URL(target).origin;
  }

  private rpOrigin(): string | undefined {
    return this.options.rp.origins[0];
  }
}
