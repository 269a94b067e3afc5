/**
 * Builds the console into console/dist (npm's `prepare`, so `npm ci` builds it; `prestart` with
 * `--if-missing`). Vite is a development dependency: an install without it (`npm ci --omit=dev`,
 * the Dockerfile's runtime stage, which copies a built dist instead) skips the build.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('./dist/index.html', import.meta.url));

if (process.argv.includes('--if-missing') && existsSync(dist)) process.exit(0);
if (!existsSync(fileURLToPath(new URL('./index.html', import.meta.url)))) {
  console.log('console: no sources here, nothing to build');
  process.exit(0);
}
let vite: typeof import('vite');
try {
  vite = await import('vite');
} catch {
  console.log('console: vite is not installed (a production install), so console/dist is not built here');
  process.exit(0);
}
await vite.build({ configFile: `${root}vite.config.ts`, logLevel: 'warn' });
console.log(`console: built into ${fileURLToPath(new URL('./dist', import.meta.url))}`);
