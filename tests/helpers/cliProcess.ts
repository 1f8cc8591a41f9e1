// The CLI as a user runs it, for the spawned-process CLI tests: build the bundle, run
// bin/zo-studio.mjs, read its last JSON line; and the demo model's golden logits they compare with.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_MODEL, REPO_ROOT } from './paths';

export interface GoldenCase {
  input_ids: number[];
  last_logits: number[];
  mean_loss: number;
}

/** The demo model's golden.json (an independent PyTorch implementation's outputs). */
export const golden = JSON.parse(readFileSync(join(DEMO_MODEL, 'golden.json'), 'utf8')) as { cases: GoldenCase[] };

/** Builds the CLI bundle (dist-cli), as bin/zo-studio.mjs would on first use. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.cli.config.ts'], { cwd: REPO_ROOT, stdio: 'pipe' });
}

/** Runs `zo-studio ARGS` in a child process and waits for it. */
export function zo(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'zo-studio.mjs'), ...args], { encoding: 'utf8', timeout: 600_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The last line of a --json command's output, parsed. */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
