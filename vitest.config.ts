import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      // The web UI's component tests (jsdom, set per file).
      'apps/web/test/**/*.test.tsx',
      'bench/test/**/*.test.ts',
    ],
    // The app in Chromium runs alone: `npm run test:e2e` (apps/web/test/e2e/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'apps/web/test/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
