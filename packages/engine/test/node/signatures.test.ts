import { create, toBinary } from '@bufbuild/protobuf';
import {
  PackageSchema,
  PoolMessageSchema,
  PROTOCOL_VERSION,
  SignedPoolMessageSchema,
  asNodeId,
  asUserId,
} from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { TestAuthority } from '../../src/identity/device-identity.js';
import { signPoolMessage } from '../../src/identity/signed-message.js';
import type { TestPool } from '../../src/testing/index.js';
import { crypto, pool as createTestPool } from '../helpers.js';

/** Send a raw frame from `from` to every neighbour, as a compromised node could. */
function inject(pool: TestPool, fromId: string, frame: Uint8Array): void {
  const from = pool.nodes.get(asNodeId(fromId))! as unknown as {
    links: { send(peer: string, channel: string, frame: Uint8Array): boolean };
    neighbours(): string[];
  };
  for (const peer of from.neighbours()) from.links.send(peer, 'control', frame);
}

function textMessage(author: string, text: string) {
  return create(PoolMessageSchema, {
    id: `forged-${text}`,
    authorNodeId: author,
    userId: `u-${author}`,
    createdMs: 1n,
    content: { case: 'text', value: { text } },
  });
}

function packageFrom(pool: TestPool, author: string, signed: ReturnType<typeof signPoolMessage>) {
  const node = pool.nodes.get(asNodeId(author))!;
  return toBinary(
    PackageSchema,
    create(PackageSchema, {
      version: PROTOCOL_VERSION,
      src: { nodeId: author, path: [...node.position!.path], slot: node.position!.slot },
      hops: 0,
      body: { case: 'pool', value: signed },
    }),
  );
}

describe('message signatures', () => {
  it('[ID1] a message whose signature does not verify is dropped by every node', async () => {
    const pool = await createTestPool(30, { seed: 4 });
    const author = 'n7';
    const identity = (
      pool.nodes.get(asNodeId(author)) as unknown as { options: { identity: never } }
    ).options.identity;
    const signed = signPoolMessage(crypto, identity, textMessage(author, 'tampered'));
    const body = signed.body.slice();
    body[body.length - 1]! ^= 0x01; // flip a bit of the text after signing
    const tampered = create(SignedPoolMessageSchema, { ...signed, body });
    inject(pool, author, packageFrom(pool, author, tampered));
    await pool.settle();
    let rejected = 0;
    for (const [id, node] of pool.nodes) {
      expect(pool.texts(id)).not.toContain('tampered');
      rejected += node.stats.badSignature;
    }
    expect(rejected).toBeGreaterThan(0);
    // Nobody forwarded it: only the author's direct neighbours ever saw it.
    expect(rejected).toBe(pool.nodes.get(asNodeId(author))!.neighbours().length);
  });

  it('[ID2] a certificate from another authority, or for another device, is refused', async () => {
    const pool = await createTestPool(10, { seed: 8 });
    const rogue = new TestAuthority(crypto).identity(
      asNodeId('n3'),
      asUserId('u-n3'),
      pool.clock.now(),
    );
    inject(
      pool,
      'n3',
      packageFrom(pool, 'n3', signPoolMessage(crypto, rogue, textMessage('n3', 'rogue'))),
    );
    const victim = (pool.nodes.get(asNodeId('n4')) as unknown as { options: { identity: never } })
      .options.identity;
    inject(
      pool,
      'n3',
      packageFrom(pool, 'n3', signPoolMessage(crypto, victim, textMessage('n3', 'stolen'))),
    );
    await pool.settle();
    for (const id of pool.nodes.keys()) {
      expect(pool.texts(id)).not.toContain('rogue');
      expect(pool.texts(id)).not.toContain('stolen');
    }
  });

  it('[ID3] a genuine message is accepted everywhere after forged ones were dropped', async () => {
    const pool = await createTestPool(12, { seed: 2 });
    const rogue = new TestAuthority(crypto).identity(
      asNodeId('n5'),
      asUserId('u-n5'),
      pool.clock.now(),
    );
    inject(
      pool,
      'n5',
      packageFrom(pool, 'n5', signPoolMessage(crypto, rogue, textMessage('n5', 'forged'))),
    );
    await pool.settle();
    const node = pool.nodes.get(asNodeId('n5'))!;
    node.sendText('genuine');
    await pool.settle();
    for (const id of pool.nodes.keys()) {
      expect(pool.texts(id)).toContain('genuine');
      expect(pool.texts(id)).not.toContain('forged');
    }
  });

  it('[RT3] receivers drop a text over the pool limit even from a sender that ignores it', async () => {
    const pool = await createTestPool(8, { seed: 3, config: { maxTextBytes: 100 } });
    const identity = (pool.nodes.get(asNodeId('n2')) as unknown as { options: { identity: never } })
      .options.identity;
    inject(
      pool,
      'n2',
      packageFrom(
        pool,
        'n2',
        signPoolMessage(crypto, identity, textMessage('n2', 'y'.repeat(101))),
      ),
    );
    await pool.settle();
    let dropped = 0;
    for (const [id, node] of pool.nodes) {
      expect(pool.texts(id).some((t) => t.startsWith('yyy'))).toBe(false);
      dropped += node.stats.malformed;
    }
    expect(dropped).toBeGreaterThan(0);
  });
});
