import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// STYLE 2: the engine stays isomorphic. The lint rule must catch each kind of breach.
describe('engine lint rule', () => {
  const eslint = new ESLint();
  const lint = async (code: string, file = 'packages/engine/src/routing/example.ts') => {
    const [result] = await eslint.lintText(code, { filePath: file });
    return result!.messages.map((m) => m.ruleId);
  };

  it('refuses node:*, Node built-ins, DOM globals, React and adapter packages in the engine', async () => {
    expect(
      await lint("import { readFile } from 'node:fs';\nexport const f = readFile;\n"),
    ).toContain('no-restricted-imports');
    expect(
      await lint("import { createHash } from 'crypto';\nexport const f = createHash;\n"),
    ).toContain('no-restricted-imports');
    expect(await lint("import React from 'react';\nexport const r = React;\n")).toContain(
      'no-restricted-imports',
    );
    expect(
      await lint("import { x } from '@poolnet/transport-webrtc';\nexport const y = x;\n"),
    ).toContain('no-restricted-imports');
    expect(await lint('export const w = window.location;\n')).toContain('no-restricted-globals');
    expect(await lint('export const b = Buffer.from([]);\n')).toContain('no-restricted-globals');
  });

  it('allows them outside the engine', async () => {
    expect(
      await lint(
        "import { readFile } from 'node:fs';\nexport const f = readFile;\n",
        'packages/platform-node/src/example.ts',
      ),
    ).toEqual([]);
  });
});
