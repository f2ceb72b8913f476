// One lint config for the monorepo. The engine must stay isomorphic: no node:*, no DOM,
// no React, no adapter package — the platform enters through engine/src/ports only. The same
// rule holds for @poolnet/device (pool logic shared by the daemon and the browser node): what
// differs between them is injected.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'stream',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/protocol/src/gen/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['packages/engine/src/**/*.ts', 'packages/device/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'The engine is isomorphic: inject the platform through ports/.',
          })),
          patterns: [
            {
              group: ['node:*'],
              message: 'The engine is isomorphic: inject the platform through ports/.',
            },
            {
              group: ['react', 'react-dom', 'react/*'],
              message: 'The engine knows nothing of the UI.',
            },
            {
              group: [
                '@poolnet/transport-*',
                '@poolnet/store-*',
                '@poolnet/sync-server',
                '@poolnet/daemon',
                '@poolnet/web',
              ],
              message: 'Adapters depend on the engine, never the reverse.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'localStorage',
          'sessionStorage',
          'indexedDB',
          'location',
          'RTCPeerConnection',
          'WebSocket',
          'process',
          'Buffer',
          'require',
          '__dirname',
          'setImmediate',
        ].map((name) => ({
          name,
          message: 'The engine is isomorphic: inject the platform through ports/.',
        })),
      ],
    },
  },
);
