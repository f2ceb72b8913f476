/** The ICE subsystem: built-in STUN responder, TURN credentials, ICE server list. */
export * from './errors.js';
export * from './ip-address.js';
export * from './stun-message.js';
export * from './stun-attributes.js';
export * from './binding-responder.js';
export * from './stun-server.js';
export * from './turn-credentials.js';
export * from './ice-config.js';
