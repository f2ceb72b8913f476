/** Cluster mode of the sync server: PostgreSQL leases + NATS forwarding. Rules: ./RULES.md. */
export { ClusterNode, type ClusterHealth, type ClusterInstance } from './cluster-node.js';
export { clusterSchema, type ClusterConfig } from './config.js';
export { ClusterError, isClusterError, type ClusterErrorCode } from './errors.js';
export type { ClusterCounters } from './metrics.js';
export { clusterMetrics, clusterRoutes, standaloneHealthRoute } from './cluster-routes.js';
