import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFileError } from '../../src/files/errors.js';
import { moveToFreeName, numberedName } from '../../src/files/free-name.js';
import { tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

describe('free names', () => {
  it('numbers the stem and keeps the extension', () => {
    expect(numberedName('photo.jpg', 0)).toBe('photo.jpg');
    expect(numberedName('photo.jpg', 1)).toBe('photo (1).jpg');
    expect(numberedName('archive.tar.gz', 2)).toBe('archive.tar (2).gz');
    expect(numberedName('README', 3)).toBe('README (3)');
    expect(numberedName('.bashrc', 1)).toBe('.bashrc (1)');
  });

  it('never replaces a file, even when many moves race for one name', async () => {
    const target = join(dir.path, 'out');
    const sources = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const path = join(dir.path, `src-${i}`);
        await writeFile(path, `content ${i}`);
        return path;
      }),
    );
    await writeFile(join(dir.path, 'taken.txt'), 'old');
    const paths = await Promise.all(sources.map((s) => moveToFreeName(s, target, 'a.txt')));
    expect(new Set(paths).size).toBe(5);
    expect((await readdir(target)).sort()).toEqual([
      'a (1).txt',
      'a (2).txt',
      'a (3).txt',
      'a (4).txt',
      'a.txt',
    ]);
    const contents = await Promise.all(paths.map((p) => readFile(p, 'utf8')));
    expect(contents.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `content ${i}`));
    expect((await readdir(dir.path)).sort()).toEqual(['out', 'taken.txt']);
  });

  it('refuses a name that is not one safe path segment', async () => {
    await writeFile(join(dir.path, 's'), 'x');
    for (const name of ['', '.', '..', 'a/b', 'a\\b', 'a\nb', 'x'.repeat(256)]) {
      await expect(moveToFreeName(join(dir.path, 's'), dir.path, name)).rejects.toSatisfy((e) =>
        isFileError(e, 'INVALID_ARGUMENT'),
      );
    }
  });
});
