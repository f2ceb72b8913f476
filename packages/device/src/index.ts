/**
 * A device's pool logic shared by the daemon (Node.js) and the browser node (a page): the
 * offer book, file and message views, file events, folder offers, the announcing message
 * store, image auto-fetch, when to keep an engine node, the server API client, the pool
 * signalling and the NAT verdict.
 * Isomorphic: no `node:` imports, no DOM; what differs (name checks, scheduling, storage,
 * sockets, error types) is injected.
 */
export { AnnouncingStore } from './announcing-store.js';
export { AutoFetch, type AutoFetchOptions } from './auto-fetch.js';
export {
  type DownloadEvent,
  type DownloadOutcome,
  type DownloadRecord,
  type FileEvent,
  downloadEvent,
  downloadRecord,
  offerEvent,
  seedingEvent,
  uploadEvent,
} from './file-events.js';
export { FileBook, type FileBookOptions } from './file-book.js';
export { OFFER_MESSAGE_BYTES, byFolderPath, folderOffers } from './folder-offer.js';
export { followDownload } from './follow-download.js';
export {
  type FileSide,
  fileState,
  listFiles,
  liveFolder,
  replayLog,
  retractable,
} from './file-listing.js';
export {
  type FileState,
  type FileView,
  type FolderView,
  base64,
  fileView,
  folderView,
} from './file-views.js';
export { MessageLog, type MessageLogOptions } from './message-log.js';
export {
  type MessageView,
  type ViewContext,
  decodeStored,
  messageView,
  offerFiles,
  waitStored,
} from './messages.js';
export { type NameChecks, protocolNameChecks } from './name-checks.js';
export {
  type MappedAddress,
  type NatObservation,
  type NatType,
  type NatVerdict,
  type StunTarget,
  classifyNat,
  failedNatCheck,
  formatAddress,
  normalizeIp,
  sameAddress,
  stunTargets,
  stunUrl,
} from './nat-verdict.js';
export { type ImageFacts, offerOwnFile, offerOwnFolder } from './own-offers.js';
export { type Certified, RENEW_BEFORE_MS, keepsNode, sameBytes } from './node-keys.js';
export {
  type Folder,
  type Media,
  type Offer,
  type OfferChanges,
  type OfferKind,
  PoolOffers,
  folderName,
  mediaKind,
} from './offers.js';
export {
  type DeviceKind,
  type Passkeys,
  base64url,
  linkDevice,
  passkeySignIn,
  registerSigningKey,
  registerUser,
} from './passkey-ceremonies.js';
export {
  type OpenSocket,
  type PoolMemberInfo,
  type PoolSignallingOptions,
  type SessionStart,
  type SignalSocket,
  type SignallingApi,
  type SocketEvents,
  PoolSignalling,
} from './pool-signalling.js';
export {
  type Json,
  type ServerApiOptions,
  type ServerErrors,
  type SessionHooks,
  type Tokens,
  ServerApi,
} from './server-api.js';
export {
  type PoolSettings,
  type PoolView,
  type ServerPool,
  poolSettings,
  poolView,
} from './pool-view.js';
