/**
 * Every signalling blob of a selecting transport starts with the one-byte id of the transport
 * it belongs to, so that both ends must agree on the ids: they are part of the wire, like a
 * protobuf field number. 0 is the selector's own control messages; 123 (`{`, how a
 * bare JSON blob starts) is never an id, so a blob from an end without a selector is told apart.
 */
export const CONTROL_ID = 0;

/** Ids of the transports Poolnet has. Never reuse a number. */
export const TRANSPORT_IDS: Readonly<Record<string, number>> = {
  tcp: 1,
  webrtc: 2,
  memory: 3,
};
