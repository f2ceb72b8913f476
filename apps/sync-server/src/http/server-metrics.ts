/**
 * What GET /metrics reports: the hub's gauges and counters, the STUN responder's, the
 * WebSocket gateway's and the rate limiter's, named in Prometheus style (`poolnet_` prefix,
 * `_total` for counters).
 */
import type { StunServerCounters } from '../ice/index.js';
import type { SignallingMetrics } from '../signalling/index.js';
import type { GatewayCounters } from './websocket-gateway.js';
import type { MetricSample } from './prometheus-text.js';

export interface MetricSources {
  readonly hub: Readonly<SignallingMetrics>;
  readonly stun: StunServerCounters;
  readonly gateway: GatewayCounters;
  readonly openSockets: number;
  readonly rateLimited: number;
}

const gauge = (name: string, help: string, value: number): MetricSample => ({
  name,
  help,
  type: 'gauge',
  value,
});
const counter = (name: string, help: string, value: number): MetricSample => ({
  name: `${name}_total`,
  help,
  type: 'counter',
  value,
});

export function serverMetrics(m: MetricSources): MetricSample[] {
  const { hub, stun, gateway } = m;
  return [
    gauge(
      'poolnet_signal_connected_sessions',
      'Signalling connections open now.',
      hub.connectedSessions,
    ),
    gauge('poolnet_signal_live_pools', 'Pools with at least one node online.', hub.livePools),
    counter('poolnet_signal_joins', 'Nodes placed in a pool.', hub.joins),
    counter(
      'poolnet_signal_evictions',
      'Sessions replaced by a newer one of the same device.',
      hub.evictions,
    ),
    counter(
      'poolnet_signal_relayed_signals',
      'Signals relayed between linked nodes.',
      hub.relayedSignals,
    ),
    counter(
      'poolnet_signal_refused_signals',
      'Signals refused: the nodes are not linked.',
      hub.refusedSignals,
    ),
    counter('poolnet_signal_bad_frames', 'Signalling frames that did not decode.', hub.badFrames),
    counter('poolnet_signal_silent_closed', 'Sessions closed for silence.', hub.silentClosed),
    counter('poolnet_signal_verifies', 'Verify questions sent after a report.', hub.verifies),
    counter(
      'poolnet_signal_dead_removed',
      'Nodes removed for not answering a verify.',
      hub.deadRemoved,
    ),
    counter('poolnet_signal_false_reports', 'Reports found false.', hub.falseReports),
    counter(
      'poolnet_signal_misbehaviour_reports',
      'Misbehaviour reports recorded.',
      hub.misbehaviourReports,
    ),
    counter('poolnet_stun_requests', 'STUN Binding Requests answered.', stun.requests),
    counter('poolnet_stun_malformed', 'STUN datagrams dropped as malformed.', stun.malformed),
    counter(
      'poolnet_stun_ignored',
      'Valid STUN messages that are not Binding Requests.',
      stun.ignored,
    ),
    counter(
      'poolnet_stun_send_errors',
      'STUN responses the socket failed to send.',
      stun.sendErrors,
    ),
    gauge('poolnet_ws_open_sockets', 'WebSockets open now.', m.openSockets),
    counter('poolnet_ws_accepted', 'WebSockets accepted.', gateway.accepted),
    counter('poolnet_ws_refused_upgrades', 'WebSocket upgrades refused.', gateway.refusedUpgrades),
    counter('poolnet_ws_text_frames', 'WebSockets closed for a text frame.', gateway.textFrames),
    counter(
      'poolnet_ws_oversize_frames',
      'WebSockets closed for an oversize frame.',
      gateway.oversizeFrames,
    ),
    counter(
      'poolnet_ws_slow_consumers',
      'WebSockets closed for reading too slowly.',
      gateway.slowConsumers,
    ),
    counter(
      'poolnet_http_rate_limited',
      'Requests and upgrades refused by a rate limit.',
      m.rateLimited,
    ),
  ];
}
