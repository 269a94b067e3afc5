import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MODULE_NAMES } from './config.ts';
import { asyncApiDocument } from './platform/messaging/asyncapi-document.ts';
import { loadModules } from './platform/module-loader.ts';

/**
 * `npm run asyncapi [path]`: writes the AsyncAPI 3.0 document of every module's events to
 * `docs/asyncapi.json` (or `path`). Needs no database or broker: it only loads the module
 * definitions. It documents every module, whatever `MODULES` a process runs.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'docs/asyncapi.json');
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const document = asyncApiDocument(await loadModules(MODULE_NAMES), { version });
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(
    `AsyncAPI ${document.asyncapi}: ${Object.keys(document.channels).length} channels, ${Object.keys(document.operations).length} operations -> ${target}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`asyncapi generation failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
