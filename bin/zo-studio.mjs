#!/usr/bin/env node
// Entry point of the `zo-studio` command: runs the bundled CLI (built by `npm install`'s
// prepare step, or `npm run build:cli`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist-cli', 'zo-studio.mjs');
if (!existsSync(bundle)) {
  console.error('zo-studio is not built yet. Run `npm install` (or `npm run build:cli`) in the project folder first.');
  process.exit(2);
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
