import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFileError } from '../../src/files/errors.js';
import { folderFileDir, isInside, isSafeRelativePath } from '../../src/files/folder-paths.js';

const target = resolve('/tmp/poolnet-target');

describe('folderFileDir', () => {
  it('puts a file under <target>/<folder>/<relative path>', () => {
    expect(folderFileDir(target, 'Trip', '')).toBe(join(target, 'Trip'));
    expect(folderFileDir(target, 'Trip', 'day 1/raw')).toBe(join(target, 'Trip', 'day 1', 'raw'));
  });

  it('refuses relative paths from the network that could leave the folder', () => {
    const hostile = [
      '../x',
      '..',
      'a/../../x',
      'a/..',
      './a',
      '/etc',
      '/',
      'a//b',
      'a/',
      'a\\..\\..\\x',
      '..\\x',
      'a/\u0000b',
      'a/\nb',
      `${'a/'.repeat(600)}a`,
    ];
    for (const path of hostile) {
      expect(isSafeRelativePath(path), path).toBe(false);
      expect(() => folderFileDir(target, 'Trip', path), path).toThrow(
        expect.toSatisfy((e) => isFileError(e, 'INVALID_ARGUMENT')),
      );
    }
  });

  it('refuses a folder name that is not one plain path segment', () => {
    for (const name of ['', '.', '..', '../escape', '/abs', 'a/b', 'a\\b', 'x\u0001']) {
      expect(() => folderFileDir(target, name, ''), name).toThrow(
        expect.toSatisfy((e) => isFileError(e, 'INVALID_ARGUMENT')),
      );
    }
  });
});

describe('isInside', () => {
  it('tells a path inside a folder from one beside or above it', () => {
    expect(isInside(target, join(target, 'a', 'b'))).toBe(true);
    expect(isInside(target, target)).toBe(true);
    expect(isInside(target, join(target, '..', 'x'))).toBe(false);
    expect(isInside(target, `${target}-other/x`)).toBe(false);
    expect(isInside(target, join(target, 'a', '..', '..', 'x'))).toBe(false);
    expect(isInside(target, join(target, '..a'))).toBe(true); // a name starting with two dots
  });
});
