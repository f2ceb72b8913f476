/** Message views, the announcing store and when an engine node is kept. */
import { MemoryMessageStore, type StoredMessage } from '@poolnet/engine';
import {
  type DeviceCertificate,
  DeviceCertificateSchema,
  type MessageId,
  type NodeId,
  create,
} from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import {
  AnnouncingStore,
  MessageLog,
  RENEW_BEFORE_MS,
  decodeStored,
  keepsNode,
  messageView,
  offerFiles,
  waitStored,
} from '../src/index.js';
import { fileOffer, imageOffer, info, retract, stored, text } from './fixtures.js';

const context = {
  pool: 'P',
  selfId: 'node-a',
  displayName: (userId: string) => (userId === 'user-a' ? 'Ann' : null),
};

describe('messages', () => {
  it('a text message as the API shows it', () => {
    const m = text('hi there');
    expect(messageView(stored(m), context)).toEqual({
      id: m.id,
      pool: 'P',
      author: 'node-a',
      userId: 'user-a',
      authorName: 'Ann',
      createdAt: 1,
      kind: 'text',
      text: 'hi there',
      mine: true,
    });
    expect(messageView(stored(text('x', 'node-b')), context).mine).toBe(false);
  });

  it('a damaged message is shown as such', () => {
    const damaged: StoredMessage = {
      id: 'd' as MessageId,
      author: 'node-b' as NodeId,
      createdAt: 7,
      signed: new Uint8Array([9, 9]),
    };
    expect(decodeStored(damaged)).toBeUndefined();
    expect(messageView(damaged, context)).toMatchObject({
      kind: 'damaged',
      userId: '',
      authorName: null,
      text: '',
    });
  });

  it('offers and withdrawals name their files', () => {
    const a = info();
    const b = info();
    expect(offerFiles(fileOffer([a, b]))).toEqual({ files: [a.fileId, b.fileId] });
    expect(offerFiles(imageOffer(a))).toEqual({ files: [a.fileId] });
    expect(offerFiles(retract(b.fileId))).toEqual({ files: [b.fileId] });
    expect(offerFiles(text('no'))).toEqual({});
    expect(messageView(stored(retract(b.fileId)), context)).toMatchObject({
      kind: 'retractOffer',
      files: [b.fileId],
    });
  });

  it('waitStored finds a message stored meanwhile, and gives up after about a second', async () => {
    const log = new MemoryMessageStore();
    const m = stored(text('later'));
    setTimeout(() => void log.append(m), 30);
    expect((await waitStored(log, m.id))?.id).toBe(m.id);
    const started = Date.now();
    expect(await waitStored(log, 'never' as MessageId)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('AnnouncingStore', () => {
  it('announces a message the first time it is stored only', async () => {
    const announced: string[] = [];
    const store = new AnnouncingStore(new MemoryMessageStore(), (m) => announced.push(m.id));
    const m = stored(text('once'));
    expect(await store.append(m)).toBe(true);
    expect(await store.append(m)).toBe(false);
    expect(announced).toEqual([m.id]);
    expect(await store.has(m.id)).toBe(true);
    expect((await store.get(m.id))?.id).toBe(m.id);
    expect(await store.count()).toBe(1);
    expect((await store.page()).messages.map((s) => s.id)).toEqual([m.id]);
    expect((await store.latest(10, 1 << 20)).map((s) => s.id)).toEqual([m.id]);
  });
});

describe('MessageLog', () => {
  it('notes a new message before showing it; pages and sent messages come as views', async () => {
    const seen: string[] = [];
    const log = new MessageLog(new MemoryMessageStore(), context, {
      noteMessage: (m) => seen.push(`note ${m.id}`),
      onMessage: (view) => seen.push(`show ${view.id} ${view.kind}`),
    });
    const offer = fileOffer([info()]);
    await log.store.append(stored(offer));
    const damaged = { id: 'bad' as MessageId, author: 'node-b' as NodeId, createdAt: 1 };
    await log.store.append({ ...damaged, signed: new Uint8Array([1]) });
    expect(seen).toEqual([`note ${offer.id}`, `show ${offer.id} fileOffer`, 'show bad damaged']);
    const page = await log.page({ limit: 10 });
    expect(page.messages.map((m) => m.id)).toEqual([offer.id, 'bad']);
    expect(page.hasOlder).toBe(false);
    expect(await log.has(offer.id as MessageId)).toBe(true);
    expect((await log.sent(offer.id as MessageId))?.mine).toBe(true);
  });
});

describe('keepsNode', () => {
  const cert = (key: number, expiresAtMs: number): DeviceCertificate =>
    create(DeviceCertificateSchema, {
      nodeId: 'n',
      userId: 'u',
      publicKey: new Uint8Array(32).fill(key),
      expiresAtMs: BigInt(expiresAtMs),
      authoritySignature: new Uint8Array(64),
    });
  const authority = new Uint8Array(32).fill(7);
  const now = 1_000_000_000;
  const later = now + 10 * RENEW_BEFORE_MS;

  it('keeps the node for the same key and authority while the certificate lasts', () => {
    const current = { cert: cert(1, later), authorityPublicKey: authority };
    expect(
      keepsNode(current, { cert: cert(1, later + 1), authorityPublicKey: authority }, now),
    ).toBe(true);
    expect(keepsNode(undefined, current, now)).toBe(false);
    expect(keepsNode(current, { cert: cert(2, later), authorityPublicKey: authority }, now)).toBe(
      false,
    );
    const other = new Uint8Array(32).fill(8);
    expect(keepsNode(current, { cert: cert(1, later), authorityPublicKey: other }, now)).toBe(
      false,
    );
    const expiring = { cert: cert(1, now + RENEW_BEFORE_MS - 1), authorityPublicKey: authority };
    expect(keepsNode(expiring, current, now)).toBe(false);
  });
});
