/**
 * Branded identifiers. On the wire they are plain strings; in code the brand keeps a
 * NodeId from being passed where a PoolId is expected.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** One device connected to one pool. Equal to the device id. */
export type NodeId = Brand<string, 'NodeId'>;
export type UserId = Brand<string, 'UserId'>;
export type PoolId = Brand<string, 'PoolId'>;
export type FileId = Brand<string, 'FileId'>;
export type MessageId = Brand<string, 'MessageId'>;

export const asNodeId = (s: string): NodeId => s as NodeId;
export const asUserId = (s: string): UserId => s as UserId;
export const asPoolId = (s: string): PoolId => s as PoolId;
export const asFileId = (s: string): FileId => s as FileId;
export const asMessageId = (s: string): MessageId => s as MessageId;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * An id from random (or hashed) bytes: base64url, except that it never starts with '-' or
 * '_', so a user can pass it to a command line without it being read as an option. The first
 * character then becomes a letter picked by the same byte (6 bits of 8 kept: ids stay
 * well distributed).
 */
export function idFromBytes(bytes: Uint8Array): string {
  let base64url = '';
  const table = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    base64url += table[a >> 2];
    base64url += table[((a & 3) << 4) | ((b ?? 0) >> 4)];
    if (b !== undefined) base64url += table[((b & 15) << 2) | ((c ?? 0) >> 6)];
    if (c !== undefined) base64url += table[c & 63];
  }
  const first = base64url[0];
  if (first !== '-' && first !== '_') return base64url;
  return (LETTERS[(bytes[0] as number) % LETTERS.length] as string) + base64url.slice(1);
}
