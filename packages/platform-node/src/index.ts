export { nodeCrypto, sharedVerifyCache } from './node-crypto.js';
