/** Authentication: passkeys, devices, add-device codes and tokens. Rules: ./RULES.md. */
export { AuthService, MAX_DISPLAY_NAME_BYTES } from './auth-service.js';
export type { DeviceDescription, RegistrationStart, SignInStart } from './auth-service.js';
export {
  DEFAULT_HOME_POOL,
  resolveAuthConfig,
  type AuthClock,
  type AuthConfig,
  type RandomBytes,
  type ResolvedAuthConfig,
} from './config.js';
export { AuthError, isAuthError, type AuthErrorCode } from './errors.js';
export type { AccessIdentity, IssuedTokens } from './tokens.js';
export { normalizeAddDeviceCode, type AddDeviceCode } from './add-device-codes.js';
export { deviceIdForCredential } from './credential-device.js';
export {
  SoftwareAuthenticator,
  type ClientContext,
  type SoftwareCredential,
} from './software-authenticator.js';
