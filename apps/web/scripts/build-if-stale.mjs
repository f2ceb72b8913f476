#!/usr/bin/env node
// Builds the web UI (vite build) unless apps/web/dist is newer than every source file, so
// `npm start` and `npm test` always serve the current UI without paying a build each time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = (() => {
  try {
    return statSync(join(web, 'dist', 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
})();

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

// The UI's sources, and the workspace packages it bundles (protocol, engine, device, browser
// stores).
const root = join(web, '..', '..');
const sources = [
  join(web, 'src'),
  join(web, 'index.html'),
  join(web, 'vite.config.ts'),
  join(root, 'packages', 'protocol', 'src'),
  join(root, 'packages', 'engine', 'src'),
  join(root, 'packages', 'device', 'src'),
  join(root, 'packages', 'store-browser', 'src'),
  join(root, 'packages', 'transport-webrtc', 'src'),
  join(root, 'packages', 'transport-select', 'src'),
];
const latest = Math.max(
  ...sources.map((p) => {
    try {
      return newest(p);
    } catch {
      return 0;
    }
  }),
);
if (built > latest && process.env.POOLNET_WEB_REBUILD !== '1') process.exit(0);

const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', web, '--logLevel', 'warn'],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
