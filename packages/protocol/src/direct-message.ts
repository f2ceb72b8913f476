/**
 * Direct messages: neighbour to neighbour, never relayed. Latest-state sync on join and
 * reconciliation of recent message ids after a topology change.
 */
import type { DirectMessage, LatestReply } from './gen/poolnet/v1/node_pb.js';
import { checkFileInfo } from './file-info.js';
import { checkCount, checkIds, invalid } from './field-checks.js';
import {
  MAX_LATEST_MESSAGES,
  MAX_LATEST_SEEDERS,
  MAX_PACKAGE_BYTES,
  MAX_RECONCILE_IDS,
  MAX_SEEDERS_PER_FILE,
} from './limits.js';
import { checkSignedPoolMessage } from './signed-pool-message.js';

function checkLatestReply(reply: LatestReply): void {
  checkCount(reply.messages.length, MAX_LATEST_MESSAGES, 'body.direct.latest_reply.messages');
  for (const signed of reply.messages) {
    checkSignedPoolMessage(signed, 'body.direct.latest_reply.messages[]');
  }
  checkCount(reply.seeders.length, MAX_LATEST_SEEDERS, 'body.direct.latest_reply.seeders');
  for (const entry of reply.seeders) {
    checkFileInfo(entry.file, 'body.direct.latest_reply.seeders[].file');
    checkIds(
      entry.seederNodeIds,
      MAX_SEEDERS_PER_FILE,
      'body.direct.latest_reply.seeders[].seeder_node_ids',
    );
  }
}

/**
 * [WIRE19] Exactly one kind. LatestRequest asks for at most MAX_LATEST_MESSAGES and
 * MAX_PACKAGE_BYTES (0 = the replier's default); replies and digests stay within
 * MAX_LATEST_MESSAGES, MAX_LATEST_SEEDERS, MAX_SEEDERS_PER_FILE and MAX_RECONCILE_IDS, and
 * every message, file and id in them is valid.
 */
export function checkDirectMessage(direct: DirectMessage): void {
  const kind = direct.kind;
  switch (kind.case) {
    case 'latestRequest':
      if (kind.value.maxMessages > MAX_LATEST_MESSAGES) {
        throw invalid(
          'body.direct.latest_request.max_messages',
          `more than ${MAX_LATEST_MESSAGES}`,
        );
      }
      if (kind.value.maxBytes > MAX_PACKAGE_BYTES) {
        throw invalid('body.direct.latest_request.max_bytes', `more than ${MAX_PACKAGE_BYTES}`);
      }
      return;
    case 'latestReply':
      return checkLatestReply(kind.value);
    case 'reconcileDigest':
      if (kind.value.summary && kind.value.recentIds.length > 0) {
        throw invalid('body.direct.reconcile_digest.recent_ids', 'a summary lists no ids');
      }
      if (kind.value.agesMs.length !== kind.value.recentIds.length) {
        throw invalid('body.direct.reconcile_digest.ages_ms', 'one age per id');
      }
      return checkIds(
        kind.value.recentIds,
        MAX_RECONCILE_IDS,
        'body.direct.reconcile_digest.recent_ids',
      );
    case 'reconcileWant':
      return checkIds(kind.value.ids, MAX_RECONCILE_IDS, 'body.direct.reconcile_want.ids');
    case 'reconcileMessages':
      checkCount(
        kind.value.messages.length,
        MAX_LATEST_MESSAGES,
        'body.direct.reconcile_messages.messages',
      );
      for (const signed of kind.value.messages) {
        checkSignedPoolMessage(signed, 'body.direct.reconcile_messages.messages[]');
      }
      return;
    case undefined:
      throw invalid('body.direct.kind', 'no kind');
  }
}
