/**
 * The ICE server list the sync server hands a node: the built-in STUN responder always, and
 * coturn only when a TURN secret is configured, because TURN without credentials is refused by
 * coturn and would only make the node's ICE agent waste a round of candidate gathering.
 * Settings arrive as a typed object parsed once at the edge (STYLE 19); nothing here reads env.
 */

import { isIP } from 'node:net';
import { IceError } from './errors.js';
import { createTurnCredentials } from './turn-credentials.js';

export interface StunEndpoint {
  /** Public host name or IP literal nodes use to reach the responder. */
  readonly host: string;
  readonly port: number;
}

export interface TurnSettings {
  /** Public host name or IP literal of coturn. */
  readonly host: string;
  /** The port coturn listens on for UDP and TCP (3478 by default). */
  readonly port: number;
  /** When set, a `turns:` (TURN over TLS) url on this port is offered as well. */
  readonly tlsPort?: number;
  /** coturn's `static-auth-secret`. Absent or empty: no TURN urls are offered ([ICE12]). */
  readonly secret?: string;
  /** Lifetime of the credentials handed out. */
  readonly ttlSeconds: number;
}

export interface IceSettings {
  readonly stun: readonly StunEndpoint[];
  readonly turn?: TurnSettings;
}

/** The shape of WebRTC's `RTCIceServer`, so a node passes it to its peer connections as is. */
export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

export interface IceConfig {
  readonly iceServers: readonly IceServer[];
  /** Unix seconds when the TURN credentials expire; the node asks again before. */
  readonly expiresAtSeconds?: number;
}

/** Build the list for `userId` at `nowMs` ([ICE11]–[ICE13]). */
export function buildIceConfig(
  settings: IceSettings,
  request: { readonly userId: string; readonly nowMs: number },
): IceConfig {
  checkSettings(settings);
  const iceServers: IceServer[] = [];
  if (settings.stun.length > 0) {
    iceServers.push({
      urls: settings.stun.map(({ host, port }) => `stun:${hostPort(host, port)}`),
    });
  }
  const turn = settings.turn;
  if (turn === undefined || turn.secret === undefined || turn.secret === '') return { iceServers };

  const credentials = createTurnCredentials({
    secret: turn.secret,
    userId: request.userId,
    ttlSeconds: turn.ttlSeconds,
    nowMs: request.nowMs,
  });
  const plain = hostPort(turn.host, turn.port);
  const urls = [`turn:${plain}?transport=udp`, `turn:${plain}?transport=tcp`];
  if (turn.tlsPort !== undefined)
    urls.push(`turns:${hostPort(turn.host, turn.tlsPort)}?transport=tcp`);
  iceServers.push({ urls, username: credentials.username, credential: credentials.credential });
  return { iceServers, expiresAtSeconds: credentials.expiresAtSeconds };
}

/** RFC 7064/7065 hosts: an IPv6 literal goes in brackets. */
function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A host is an IP literal or a DNS name; anything else would produce a url the node rejects. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function checkSettings(settings: IceSettings): void {
  for (const endpoint of settings.stun) checkEndpoint('stun', endpoint.host, endpoint.port);
  const turn = settings.turn;
  if (turn === undefined) return;
  checkEndpoint('turn', turn.host, turn.port);
  if (turn.tlsPort !== undefined) checkEndpoint('turn tls', turn.host, turn.tlsPort);
  if (!Number.isSafeInteger(turn.ttlSeconds) || turn.ttlSeconds <= 0) {
    throw new IceError('INVALID_CONFIG', `turn ttl ${turn.ttlSeconds} is not a positive integer`);
  }
}

function checkEndpoint(what: string, host: string, port: number): void {
  if (isIP(host) === 0 && !HOST_NAME.test(host)) {
    throw new IceError('INVALID_CONFIG', `${what} host ${JSON.stringify(host)} is not a host`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) {
    throw new IceError('INVALID_CONFIG', `${what} port ${port} is not 1–65535`);
  }
}
