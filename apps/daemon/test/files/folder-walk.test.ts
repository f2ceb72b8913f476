import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFileError } from '../../src/files/errors.js';
import { walkFolder } from '../../src/files/folder-walk.js';
import { tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

describe('walkFolder', () => {
  it('lists every regular file below, with its directory inside the folder', async () => {
    const root = join(dir.path, 'Trip');
    await mkdir(join(root, 'day 1', 'raw'), { recursive: true });
    await mkdir(join(root, 'empty'));
    await writeFile(join(root, 'notes.txt'), 'n');
    await writeFile(join(root, 'day 1', 'a.jpg'), 'a');
    await writeFile(join(root, 'day 1', 'raw', 'b.raw'), 'b');
    await writeFile(join(root, '.hidden'), 'h');

    const { files, skipped } = await walkFolder(root);
    expect(files.map((f) => [f.relativePath, f.name])).toEqual([
      ['', '.hidden'],
      ['', 'notes.txt'],
      ['day 1', 'a.jpg'],
      ['day 1/raw', 'b.raw'],
    ]);
    expect(files[3]?.path).toBe(join(root, 'day 1', 'raw', 'b.raw'));
    expect(skipped).toEqual([]);
  });

  it('skips symbolic links (to files and folders, even outside) and sockets', async () => {
    const root = join(dir.path, 'share');
    await mkdir(root);
    await writeFile(join(dir.path, 'secret'), 's');
    await writeFile(join(root, 'real.txt'), 'r');
    await symlink(join(dir.path, 'secret'), join(root, 'link-to-file'));
    await symlink(dir.path, join(root, 'link-to-parent'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(root, 'sock'), resolve));
    try {
      const { files, skipped } = await walkFolder(root);
      expect(files.map((f) => f.name)).toEqual(['real.txt']);
      expect(skipped.map((s) => s.path).sort()).toEqual(
        [join(root, 'link-to-file'), join(root, 'link-to-parent'), join(root, 'sock')].sort(),
      );
    } finally {
      server.close();
    }
  });

  it('refuses a folder with more files than allowed, and a missing folder', async () => {
    const root = join(dir.path, 'many');
    await mkdir(root);
    for (let i = 0; i < 5; i++) await writeFile(join(root, `f${i}`), '');
    await expect(walkFolder(root, 4)).rejects.toSatisfy((e) => isFileError(e, 'INVALID_ARGUMENT'));
    await expect(walkFolder(join(dir.path, 'absent'))).rejects.toSatisfy((e) =>
      isFileError(e, 'MISSING'),
    );
  });
});
