/**
 * The web UI's build: one static folder (dist/) the daemon serves in desktop mode and the sync
 * server serves in browser mode. No inline scripts, so both can send a strict CSP.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline module-preload polyfill: the CSP allows only the page's own script files.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2048,
  },
});
