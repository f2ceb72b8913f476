import { accountCases } from './contract/accounts.js';
import { challengeCases } from './contract/challenges.js';
import type { ServerStoreContractCase } from './contract/fixtures.js';
import { inviteCases } from './contract/invites.js';
import { isolationCases } from './contract/isolation.js';
import { poolCases } from './contract/pools.js';

export type { ServerStoreContractCase } from './contract/fixtures.js';

/**
 * The contract every `ServerStore` adapter passes (SQLite and PostgreSQL). Framework-free:
 * each case gets a factory for a fresh, empty store and throws on failure. Ids `DB1…` are
 * stable so a failing test names the rule it broke.
 */
export const serverStoreContract: readonly ServerStoreContractCase[] = [
  ...accountCases,
  ...poolCases,
  ...inviteCases,
  ...isolationCases,
  ...challengeCases,
];
