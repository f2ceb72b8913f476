/**
 * The version of the Poolnet wire protocol this code speaks. Every Package, ClientFrame and
 * ServerFrame carries it in field 1, and a receiver rejects any other value with
 * UNSUPPORTED_VERSION ([WIRE4]).
 *
 * Bump it only for changes an older peer would misread. Adding a field or an enum value is
 * not such a change: old peers ignore unknown fields and keep them when relaying ([WIRE25]).
 */
export const PROTOCOL_VERSION = 1;
