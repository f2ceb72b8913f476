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
