/**
 * The few pieces every API route shares: a zod-checked JSON body, the caller's identity from
 * the bearer token, and refusals turned into JSON error responses (`api-errors.ts`).
 */
import { z } from 'zod';
import type { AuthService } from '../auth/auth-service.js';
import { isAuthError } from '../auth/errors.js';
import type { AccessIdentity } from '../auth/tokens.js';
import type { RateClass } from '../http/rate-limiter.js';
import type { HttpMethod, Route, RouteRequest, RouteResponse } from '../http/route.js';
import { ApiError, errorResponse } from './api-errors.js';

/** The caller's identity, or UNAUTHENTICATED (missing, bad, expired or revoked token). */
export async function identityOf(
  auth: AuthService,
  request: RouteRequest,
): Promise<AccessIdentity> {
  if (request.bearerToken === undefined) {
    throw new ApiError('UNAUTHENTICATED', 'an Authorization: Bearer token is required');
  }
  try {
    return await auth.authenticate(request.bearerToken);
  } catch (err) {
    if (isAuthError(err, 'UNAUTHENTICATED') || isAuthError(err, 'EXPIRED')) {
      throw new ApiError('UNAUTHENTICATED', 'the token is not valid', err.code, { cause: err });
    }
    if (isAuthError(err, 'REVOKED')) {
      throw new ApiError('UNAUTHENTICATED', 'the session was revoked', err.code, { cause: err });
    }
    throw err;
  }
}

/** The body checked against `schema`, or BAD_REQUEST naming the bad fields. */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data as z.output<S>;
  const fields = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  throw new ApiError('BAD_REQUEST', `invalid request body: ${fields}`);
}

/** A JSON route whose refusals become JSON errors; internal failures go to the edge. */
export function apiRoute(
  method: HttpMethod,
  path: string,
  handle: (request: RouteRequest) => Promise<unknown>,
  rateClass?: RateClass,
): Route {
  return {
    method,
    path,
    ...(rateClass === undefined ? {} : { rateClass }),
    handle: async (request): Promise<RouteResponse> => {
      try {
        return {
          status: 200,
          headers: { 'cache-control': 'no-store' },
          body: await handle(request),
        };
      } catch (err) {
        return errorResponse(err);
      }
    },
  };
}

/** Shared field schemas. */
export const fields = {
  id: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(128),
  deviceType: z.enum(['desktop', 'browser', 'mobile', 'cli']),
  /** A WebAuthn response JSON; @simplewebauthn/server checks its shape. */
  credential: z.object({ id: z.string(), response: z.object({}).passthrough() }).passthrough(),
};
