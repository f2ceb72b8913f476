/**
 * What the browser-node e2e tests read back from a page's OPFS, computed in the page itself:
 * the bytes the test checks are the ones the browser node stored, not a copy it handed out.
 */
import type { Page } from 'playwright-core';

/** SHA-256 (hex) and size of a file this page holds in OPFS, computed in the page. */
export function opfsSha256(
  page: Page,
  poolId: string,
  fileId: string,
): Promise<{ size: number; sha256: string }> {
  return page.evaluate(
    async ([pool, file]) => {
      const root = await navigator.storage.getDirectory();
      const poolnet = await root.getDirectoryHandle('poolnet');
      const held = await (
        await poolnet.getDirectoryHandle(encodeURIComponent(pool))
      ).getDirectoryHandle('held');
      const blob = await (await held.getFileHandle(`_${encodeURIComponent(file)}`)).getFile();
      const digest = new Uint8Array(
        await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()),
      );
      return {
        size: blob.size,
        sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
      };
    },
    [poolId, fileId] as const,
  );
}
