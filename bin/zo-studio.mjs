#!/usr/bin/env node
// Entry point of the `zo-studio` command: runs the bundled CLI (dist-cli/, `npm run build:cli`).
// The project's .npmrc turns install scripts off (see there), so `npm install` does not build
// the bundle: this builds it on first use, and again whenever src/, shaders/ or wasm/ hold a file newer
// than the bundle (after a `git pull`, say), so the command never runs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist-cli', 'zo-studio.mjs');

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestUnder(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sourcesAt = Math.max(newestUnder(join(root, 'src')), newestUnder(join(root, 'shaders')), newestUnder(join(root, 'wasm')));
if (!existsSync(bundle) || statSync(bundle).mtimeMs < sourcesAt) {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    console.error('zo-studio is not built and vite is not installed. Run `npm install` in the project folder, then `npm run build:cli`.');
    process.exit(2);
  }
  console.error(existsSync(bundle) ? 'Sources changed since the last build: rebuilding the zo-studio bundle…' : 'Building the zo-studio bundle (first run)…');
  const built = spawnSync(process.execPath, [vite, 'build', '--config', 'vite.cli.config.ts'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) {
    console.error('Building the bundle failed (above). Run `npm run build:cli` in the project folder to see why.');
    process.exit(2);
  }
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
