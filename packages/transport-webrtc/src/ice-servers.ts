import { WebRtcOptionsError } from './errors.js';
import type { IceUrl, RtcIceServer } from './rtc.js';

/**
 * An ICE server as the sync server's `/v1/ice` hands it out: the shape of WebRTC's
 * `RTCIceServer`, e.g. `{ urls: ['turn:turn.example:3478?transport=udp'], username, credential }`.
 */
export interface IceServerInit {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/**
 * An ICE server option: an `RTCIceServer`-like object, or one url string in node-datachannel's
 * form, `stun:host:port` or `turn:user:password@host:port?transport=tcp` (percent-encode a `:`
 * or `@` inside the user name or password).
 */
export type IceServerSpec = string | IceServerInit;

const ICE_URL =
  /^(stun|turn|turns):(?:([^@]*)@)?(\[[0-9A-Fa-f:.]+\]|[^\s:@?/[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

/**
 * Parse and check ICE server options once, at the edge: a url that cannot work (bad syntax,
 * TURN without credentials) throws `WebRtcOptionsError('INVALID_OPTIONS')` here rather than
 * failing every link later.
 */
export function parseIceServers(specs: readonly IceServerSpec[]): IceUrl[] {
  const out: IceUrl[] = [];
  for (const spec of specs) {
    if (typeof spec === 'string') {
      out.push(parseIceUrl(spec, {}));
      continue;
    }
    const urls = typeof spec.urls === 'string' ? [spec.urls] : spec.urls;
    const login = { username: spec.username, credential: spec.credential };
    for (const url of urls) out.push(parseIceUrl(url, login));
  }
  return out;
}

function parseIceUrl(url: string, login: { username?: string; credential?: string }): IceUrl {
  const m = ICE_URL.exec(url);
  const invalid = (why: string): WebRtcOptionsError =>
    new WebRtcOptionsError('INVALID_OPTIONS', `ICE server ${JSON.stringify(url)}: ${why}`);
  if (!m) throw invalid('not a stun:, turn: or turns: url');
  const scheme = m[1] as IceUrl['scheme'];
  const host = m[3]!.replace(/^\[(.*)\]$/, '$1');
  const port = m[4] === undefined ? (scheme === 'turns' ? 5349 : 3478) : Number(m[4]);
  if (port < 1 || port > 0xffff) throw invalid('port out of range');
  const transport = m[5] as IceUrl['transport'];
  let { username, credential } = login;
  if (m[2] !== undefined) {
    const colon = m[2].indexOf(':');
    if (colon < 0) throw invalid('credentials are user:password');
    try {
      username ??= decodeURIComponent(m[2].slice(0, colon));
      credential ??= decodeURIComponent(m[2].slice(colon + 1));
    } catch (cause) {
      throw new WebRtcOptionsError('INVALID_OPTIONS', `ICE server ${url}: bad escape`, { cause });
    }
  }
  if (scheme === 'stun') {
    if (transport !== undefined) throw invalid('a stun: url has no transport');
    return { scheme, host, port };
  }
  if (!username || !credential) throw invalid('TURN needs a username and a credential');
  return { scheme, host, port, ...(transport && { transport }), username, credential };
}

/** The W3C form of parsed urls, for a page's `RTCPeerConnection`. */
export function toRtcIceServers(urls: readonly IceUrl[]): RtcIceServer[] {
  return urls.map((u) => {
    const host = u.host.includes(':') ? `[${u.host}]` : u.host;
    const query = u.transport ? `?transport=${u.transport}` : '';
    const server: RtcIceServer = { urls: [`${u.scheme}:${host}:${u.port}${query}`] };
    if (u.username !== undefined) server.username = u.username;
    if (u.credential !== undefined) server.credential = u.credential;
    return server;
  });
}
