#!/usr/bin/env node
// The 3,000-step MeZO run on wn-animal-plant (issue 18): full-parameter ZO-SGD on the demo model,
// lr 1e-4, eps 1e-3, batch 16, seed 0, constant lr, no weight decay, dev accuracy on the whole
// dev split every 250 steps: the PyTorch reference run of public/demo-model/README.md, made with
// `zo-studio train` on the chosen backend. Hours long on a 2-core machine, so it is a script, not
// a test: it writes into bench-results/experiments/ (gitignored) as it goes and resumes from its
// own run record when started again (the record replays the finished steps bit for bit).
//
//   node scripts/experiments/mezo3000.mjs [--backend cpu|webgpu] [--threads N] [--steps 3000] [--out DIR]
//   (npm run experiment:mezo3000 -- [same flags])
//   node scripts/experiments/mezo3000.mjs --report [--out DIR]   # the curve so far vs PyTorch
//
// For a background run: nohup node scripts/experiments/mezo3000.mjs > /dev/null 2>&1 &
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const backend = flag('backend', 'cpu');
const steps = Number(flag('steps', '3000'));
const threads = flag('threads', null); // the CLI's default: every core
const out = flag('out', join(root, 'bench-results', 'experiments', `mezo3000-${backend}`));

/** PyTorch reference (public/demo-model/README.md): dev accuracy (%) every 250 steps, same config. */
export const PYTORCH_DEV = { 250: 59.2, 500: 63.4, 750: 64.2, 1000: 65.4, 1250: 68.0, 1500: 67.8, 1750: 68.0, 2000: 71.2, 2250: 72.8, 2500: 72.0, 2750: 72.8, 3000: 77.2 };
const PYTORCH_SECONDS_PER_STEP = 0.5; // the same README: 2 cores, PyTorch 1.13 + OpenBLAS

function readLog() {
  const file = join(out, 'log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return []; // a line cut by a kill
    }
  });
}

function report() {
  const events = readLog();
  const evals = new Map(events.filter((e) => e.kind === 'eval' && !e.zeroShot).map((e) => [e.step, e]));
  const zeroShot = events.find((e) => e.kind === 'eval' && e.zeroShot);
  const stepEvents = events.filter((e) => e.kind === 'step');
  const lines = [`MeZO 3,000 steps on wn-animal-plant, ${backend} backend (${out})`];
  if (zeroShot) lines.push(`zero-shot dev ${(100 * zeroShot.accuracy).toFixed(1)}% (n=${zeroShot.n}); PyTorch reference 50.2%`);
  lines.push('step   ZO Studio dev   PyTorch dev');
  for (const [step, ref] of Object.entries(PYTORCH_DEV)) {
    const e = evals.get(Number(step));
    lines.push(`${step.padStart(5)}   ${e ? `${(100 * e.accuracy).toFixed(1)}%`.padStart(13) : '            -'}   ${`${ref.toFixed(1)}%`.padStart(11)}`);
  }
  const last = stepEvents[stepEvents.length - 1];
  if (last) lines.push(`steps done: ${last.step + 1} of ${steps}`);
  // The CLI's per-step millis (a step's submit to its read-back; the next step is already queued,
  // so they overlap and exceed the wall clock per step), over the latest 100 steps.
  const recent = stepEvents.slice(-100).map((e) => e.millis).filter((m) => typeof m === 'number').sort((a, b) => a - b);
  if (recent.length) {
    const median = recent[Math.floor(recent.length / 2)] / 1000;
    const left = steps - (last.step + 1);
    lines.push(`step millis (submit to read-back, overlapping): median ${median.toFixed(2)} s over the latest ${recent.length} steps (range ${(recent[0] / 1000).toFixed(2)}-${(recent[recent.length - 1] / 1000).toFixed(2)}); ` +
      `${left} steps left, about ${((left * median) / 3600).toFixed(1)} h at this pace plus evaluations`);
  }
  const segments = events.filter((e) => e.kind === 'segment');
  if (segments.length) {
    const s = segments[segments.length - 1];
    lines.push(`wall clock, latest segment (${s.at}): ${s.secondsPerStep.toFixed(2)} s/step over ${s.steps} steps, evaluations included; PyTorch reference ${PYTORCH_SECONDS_PER_STEP} s/step`);
  }
  return lines.join('\n');
}

if (args.includes('--report')) {
  console.log(report());
  process.exit(0);
}

mkdirSync(out, { recursive: true });
const record = join(out, 'run.zorec');
const resume = existsSync(record) ? ['--resume', record] : [];
const cli = [join(root, 'bin', 'zo-studio.mjs'), 'train', '--model', join(root, 'public', 'demo-model'), '--task', join(root, 'public', 'demo-data', 'wn-animal-plant'),
  '--out', out, '--mode', 'full', '--steps', String(steps), '--lr', '1e-4', '--eps', '1e-3', '--batch', '16', '--seed', '0',
  '--schedule', 'constant', '--weight-decay', '0', '--eval-every', '250', '--eval-limit', '0', '--backend', backend, ...(threads ? ['--threads', threads] : []), '--json', ...resume];
const log = createWriteStream(join(out, 'log.jsonl'), { flags: 'a' });
const started = Date.now();
let firstStep = null;
let lastStep = null;
const child = spawn(process.execPath, cli, { stdio: ['ignore', 'pipe', 'pipe'] });
let pending = '';
child.stdout.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) {
    log.write(line + '\n');
    try {
      const e = JSON.parse(line);
      if (e.kind === 'step') {
        firstStep ??= e.step;
        lastStep = e.step;
      }
      if (e.kind === 'eval') console.log(`step ${e.step ?? 0}: dev ${(100 * e.accuracy).toFixed(1)}%${e.step && PYTORCH_DEV[e.step] ? ` (PyTorch ${PYTORCH_DEV[e.step]}%)` : ''}`);
    } catch {
      // not JSON: passed through to the log only
    }
  }
});
child.stderr.on('data', (chunk) => process.stderr.write(chunk));
const segment = () => {
  if (lastStep === null) return;
  const n = lastStep - firstStep + 1;
  log.write(JSON.stringify({ kind: 'segment', backend, steps: n, seconds: (Date.now() - started) / 1000, secondsPerStep: (Date.now() - started) / 1000 / n, at: new Date().toISOString() }) + '\n');
};
const timer = setInterval(segment, 600_000);
child.on('exit', (code) => {
  clearInterval(timer);
  segment();
  log.end(() => {
    console.log(report());
    process.exit(code ?? 1);
  });
});
