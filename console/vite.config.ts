import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The operator console: served by the platform under /console/ (src/platform/http/console.routes.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [preact()],
  // `npx vite --config console/vite.config.ts`: the console with hot reload, the API from a platform on :3000.
  server: { host: '127.0.0.1', proxy: { '/admin': 'http://127.0.0.1:3000' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline script or style: every asset is a file of its own.
    assetsInlineLimit: 0,
    // Only the platform's origin is ever contacted; no preload polyfill needed by evergreen browsers.
    modulePreload: { polyfill: false },
  },
});
