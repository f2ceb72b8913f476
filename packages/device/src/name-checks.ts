/**
 * What a file name and a relative path must be for a device to keep an offer. The daemon
 * injects its disk checks (Node.js path rules: it saves under these names); the page, which
 * saves files under their ids but downloads them under their names, injects the wire's rules.
 */
import { checkFileName, checkRelativePath } from '@poolnet/protocol';

export interface NameChecks {
  /** Whether `name` is one safe path segment. */
  isSafeName(name: string): boolean;
  /** Whether `relativePath` is "" or safe segments joined by '/'. */
  isSafeRelativePath(relativePath: string): boolean;
}

/** The wire's file name and relative path rules (`checkFileName`, `checkRelativePath`). */
export const protocolNameChecks: NameChecks = {
  isSafeName(name) {
    try {
      checkFileName(name, 'name');
      return true;
    } catch {
      return false;
    }
  },
  isSafeRelativePath(relativePath) {
    if (relativePath === '') return true;
    try {
      checkRelativePath(relativePath, 'relativePath');
      return true;
    } catch {
      return false;
    }
  },
};
