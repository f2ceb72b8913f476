/**
 * `@poolnet/transport-select`: a `Transport` (kind `'auto'`) that opens each link over several
 * transports at once, keeps the preferred one and falls back to another when it drops.
 * Isomorphic (no Node.js or DOM imports). See README.md.
 */
export { SelectingTransport, type SelectedLinkInfo } from './selecting-transport.js';
export { SelectedLink, type SelectedLinkState } from './selected-link.js';
export { SelectError, type SelectErrorCode, type TransportFailure } from './errors.js';
export type { SelectingTransportOptions, SelectSettings, Candidate } from './options.js';
export type { DroppedSignals } from './signal-mux.js';
export { TRANSPORT_IDS, CONTROL_ID } from './transport-ids.js';
