/**
 * Child process of the durability test: writes accounts, pools, invites and joins as fast as
 * it can and prints one line per acknowledged write, until it is killed.
 *
 *   tsx durability-writer.ts sqlite <dataDir>
 *   tsx durability-writer.ts postgres <url> <schema>
 */
import { asPoolId } from '@poolnet/protocol';
import { register, settings, T0, user } from '../../src/store/contract/fixtures.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { asInviteId } from '../../src/store/store.js';

const [kind, target = '', schema] = process.argv.slice(2);
const store =
  kind === 'postgres'
    ? await openPostgresStore({ url: target, ...(schema === undefined ? {} : { schema }) })
    : await openSqliteStore({ dataDir: target });

const ack = (line: string): boolean => process.stdout.write(`${line}\n`);

for (let n = 1; ; n++) {
  await register(store, n, T0 + n);
  ack(`user ${user(n)}`);
  const poolId = asPoolId(`pool-${n}`);
  await store.createPool({ id: poolId, name: `P${n}`, ownerId: user(n), settings, now: T0 + n });
  ack(`pool ${poolId}`);
  await store.createInvite({
    id: asInviteId(`invite-${n}`),
    tokenHash: `token-${n}`,
    poolId,
    createdBy: user(n),
    expiresAt: T0 + 1e9,
    maxUses: 1,
    now: T0 + n,
  });
  ack(`invite ${poolId} invite-${n}`);
  if (n > 1) {
    await store.useInvite({ tokenHash: `token-${n - 1}`, userId: user(n), now: T0 + n });
    ack(`member pool-${n - 1} ${user(n)}`);
  }
}
