/** Offers, messages and stored messages as tests need them (not what the validating encoder checks). */
import type { StoredMessage } from '@poolnet/engine';
import {
  type FileInfo,
  FileInfoSchema,
  MediaKind,
  type MessageId,
  type NodeId,
  type PoolMessage,
  PoolMessageSchema,
  create,
  encodePoolMessage,
  encodeSignedPoolMessage,
} from '@poolnet/protocol';

let n = 0;

export function info(fields: Partial<Omit<FileInfo, '$typeName' | '$unknown'>> = {}): FileInfo {
  n++;
  return create(FileInfoSchema, {
    fileId: `file-${n}`,
    name: `f${n}.bin`,
    size: 10n,
    originNodeId: 'node-a',
    sha256: new Uint8Array(32),
    chunkSize: 65_536,
    chunkHashesRoot: new Uint8Array(32),
    ...fields,
  });
}

// Built with `create`, not the validating encoder: what a buggy or hostile peer could send.
export function message(author: string, content: PoolMessage['content']): PoolMessage {
  return create(PoolMessageSchema, {
    id: `m-${n++}`,
    authorNodeId: author,
    userId: 'user-a',
    createdMs: 1n,
    content,
  });
}

export const fileOffer = (files: FileInfo[], folderId = '', folderName = '', author = 'node-a') =>
  message(author, {
    case: 'fileOffer',
    value: { $typeName: 'poolnet.v1.FileOffer', files, folderId, folderName },
  });

export const imageOffer = (
  file: FileInfo,
  author = 'node-a',
  preview = new Uint8Array([1, 2, 3]),
) =>
  message(author, {
    case: 'mediaOffer',
    value: {
      $typeName: 'poolnet.v1.MediaOffer',
      file,
      kind: MediaKind.IMAGE,
      width: 64,
      height: 48,
      preview,
    },
  });

export const retract = (fileId: string, author = 'node-a') =>
  message(author, {
    case: 'retractOffer',
    value: { $typeName: 'poolnet.v1.RetractOffer', fileId },
  });

/** A stored message as a store keeps it (signed bytes; the signature is not checked here). */
export function stored(m: PoolMessage, seq?: number): StoredMessage {
  const signed = encodeSignedPoolMessage({
    body: encodePoolMessage(m),
    signature: new Uint8Array(64),
    cert: {
      nodeId: m.authorNodeId,
      userId: m.userId,
      publicKey: new Uint8Array(32),
      expiresAtMs: 1n,
      authoritySignature: new Uint8Array(64),
    },
  });
  return {
    id: m.id as MessageId,
    author: m.authorNodeId as NodeId,
    createdAt: Number(m.createdMs),
    signed,
    ...(seq === undefined ? {} : { seq }),
  };
}

export const text = (body: string, author = 'node-a') =>
  message(author, { case: 'text', value: { $typeName: 'poolnet.v1.TextMessage', text: body } });
