/**
 * The cluster's HTTP face ([CL6], [CL7]): `GET /v1/health` (200 ok / 503 degraded, for load
 * balancers and operators), `GET /v1/cluster` (the instances devices may fail over to) and
 * the per-instance samples for `GET /metrics`.
 */
import type { MetricSample } from '../http/prometheus-text.js';
import type { Route } from '../http/route.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterCounters } from './metrics.js';

export function clusterRoutes(node: ClusterNode): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/health',
      handle: async () => {
        const health = node.health();
        return { status: health.status === 'ok' ? 200 : 503, body: health };
      },
    },
    {
      method: 'GET',
      path: '/v1/cluster',
      handle: async () => {
        const instances = await node.instances();
        return {
          status: 200,
          body: {
            instanceId: node.instanceId,
            instances: instances.map((i) => ({ id: i.instanceId, url: i.url, self: i.self })),
          },
        };
      },
    },
  ];
}

/** GET /v1/health of a server that is not in a cluster. */
export const standaloneHealthRoute: Route = {
  method: 'GET',
  path: '/v1/health',
  handle: async () => ({ status: 200, body: { status: 'ok', cluster: false } }),
};

const HELP: Readonly<Record<keyof ClusterCounters, [string, 'gauge' | 'counter']>> = {
  natsConnected: ['1 while this instance is connected to NATS.', 'gauge'],
  databaseUp: ['1 while the lease table answers.', 'gauge'],
  leasesHeld: ['Pool leases this instance holds.', 'gauge'],
  forwardedOut: ['Sessions whose socket is here and whose pool is served elsewhere.', 'gauge'],
  forwardedIn: ['Sessions served here whose socket is on another instance.', 'gauge'],
  leasesAcquired: ['Pool leases taken.', 'counter'],
  leasesLost: ['Pool leases lost while serving (the pool was evacuated).', 'counter'],
  natsDisconnects: ['Times the NATS connection dropped.', 'counter'],
  forwardedOpened: ['Sessions opened on another instance for a device here.', 'counter'],
  forwardedAccepted: ['Sessions accepted here for a device on another instance.', 'counter'],
  framesToOwner: ['Client frames forwarded to a pool owner.', 'counter'],
  framesFromEdges: ['Client frames received from other instances.', 'counter'],
  framesToEdges: ['Server frames sent to other instances.', 'counter'],
  badEnvelopes: ['Cluster messages that did not decode.', 'counter'],
  unsealed: ['Bus messages dropped: not sealed with the cluster key.', 'counter'],
};

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function clusterMetrics(counters: Readonly<ClusterCounters>): MetricSample[] {
  return (Object.keys(HELP) as (keyof ClusterCounters)[]).map((key) => {
    const [help, type] = HELP[key];
    const base = `poolnet_cluster_${snake(key)}`;
    return { name: type === 'counter' ? `${base}_total` : base, help, type, value: counters[key] };
  });
}
