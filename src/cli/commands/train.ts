// `zo-studio train`: MeZO (or another ZO optimizer) on a task folder, headless. Writes the run
// record (run.zorec: replays the trained weights bit for bit) and the trained weights (PEFT
// adapter, sparse deltas, or model.safetensors) to --out. Progress: human lines, or JSON lines.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { numberFlag, parseArgs, optionalString, stringFlag } from '../args';
import { RecordFileWriter, writeFileAtomic } from '../recordFile';
import type { CliIo } from '../io';
import { acquireCliGpu } from '../gpu';
import { loadCliModel } from '../openModel';
import { setCliTask } from '../taskArg';
import { trainConfigFromArgs } from '../trainConfig';
import { exportRunWeights } from '../../engine/session/exportWeights';
import { Session } from '../../engine/session/session';
import { runLoop } from '../../engine/session/runLoop';
import { decodeRunRecord } from '../../engine/zo/record';
import { checkResumeConfig } from '../../engine/zo/validateConfig';
import type { EngineEvent, EvalMetrics, TrainConfig } from '../../engine/api';
import { readFile } from 'node:fs/promises';
import { applyPreferenceFlags, logRewardEvent, trainZopro } from './preference';
import { readBlockScales } from './learnScales';

export async function trainCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json', 'one-sided']);
  const json = args.flags.has('json');
  const config = trainConfigFromArgs(args);
  applyPreferenceFlags(args, config); // preference hook: --beta (dpo), --k/--reward/... (zopro)
  const blockScales = optionalString(args, 'block-scales');
  if (blockScales) config.blockScales = await readBlockScales(blockScales);
  const out = stringFlag(args, 'out');
  const resumePath = optionalString(args, 'resume');
  const log = (e: Record<string, unknown>, human: string) => (json ? io.stdout(JSON.stringify(e)) : io.stderr(human));
  const fsyncEvery = numberFlag(args, 'fsync-every', 10);
  const zopro = config.objective === 'zopro'; // ZOPrO keeps its own JSON record (preference.ts)
  const resume = resumePath && !zopro ? await readResumeRecord(resumePath, config, log) : undefined;
  const zoproResume = resumePath && zopro ? { path: resumePath, bytes: new Uint8Array(await readFile(resumePath)) } : undefined;
  const ctx = await acquireCliGpu(io);
  const session = new Session(ctx);
  session.setModel(await loadCliModel(ctx, args, io));
  await setCliTask(session, args, io, stringFlag(args, 'task'));
  if (zopro) return trainZopro(session, config, out, json, io, { resume: zoproResume, fsyncEvery }); // preference hook: ZOPrO samples its own batches

  const zeroShot = await session.evaluate(config.evalSplit, config.evalLimit, 0);
  log({ kind: 'eval', ...zeroShot, zeroShot: true }, `zero-shot ${config.evalSplit} accuracy ${(100 * zeroShot.accuracy).toFixed(1)}% (n=${zeroShot.n}), loss ${zeroShot.loss.toFixed(4)}`);

  let shown = -1;
  const run = await session.startRun(config, resume, { source: 'cli' }, undefined, (phase, done, total) => {
    const tenth = Math.floor((10 * done) / total);
    if (tenth === shown) return;
    shown = tenth;
    log({ kind: 'progress', phase, done, total }, `${phase}: ${done} / ${total}`);
  });
  log({ kind: 'run', mode: config.mode, trainable: run.trainable.parameters, describe: run.trainable.describe() }, run.trainable.describe());
  // Written as the run goes: a killed run leaves its config and every step it finished.
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, 'config.json'), JSON.stringify(config, null, 2));
  const recordFile = await RecordFileWriter.create(join(out, 'run.zorec'), run.trainer.record, fsyncEvery);
  const started = Date.now();
  let lastLine = 0;
  let best = { accuracy: zeroShot.accuracy, step: 0 };
  let lastEval: EvalMetrics | null = null;
  const emit = (e: EngineEvent) => {
    logRewardEvent(e, json, io); // preference hook: DPO reward curves
    if (e.kind === 'step') {
      const m = e.metrics;
      if (json) io.stdout(JSON.stringify({ kind: 'step', ...m }));
      else if (Date.now() - lastLine > 2000 || m.step + 1 === config.steps) {
        lastLine = Date.now();
        const rate = (m.step + 1) / ((Date.now() - started) / 1000);
        io.stderr(`step ${m.step + 1}/${config.steps}  loss ${m.loss.toFixed(4)}  g ${m.projectedGrad.toExponential(2)}  ${rate.toFixed(2)} steps/s`);
      }
    } else if (e.kind === 'run-warning') {
      log({ kind: 'warning', ...e.warning }, `warning: ${e.warning.message}`);
    } else if (e.kind === 'eval') {
      lastEval = e.metrics;
      if (e.metrics.accuracy > best.accuracy) best = { accuracy: e.metrics.accuracy, step: e.metrics.step };
      log({ kind: 'eval', ...e.metrics }, `step ${e.metrics.step}: ${e.metrics.split} accuracy ${(100 * e.metrics.accuracy).toFixed(1)}%, loss ${e.metrics.loss.toFixed(4)}`);
    }
  };
  try {
    await runLoop(session, 'cli', config, { requested: 'none' }, { emit, skipInitialEval: true, onStep: () => void recordFile.sync() });
    await recordFile.finish();
  } finally {
    await recordFile.close();
  }
  // The run loop already evaluated the final weights when the last step fell on an evaluation.
  const done = run.trainer.stepsDone;
  const final = lastEval && (lastEval as EvalMetrics).step === done ? (lastEval as EvalMetrics) : await session.evaluate(config.evalSplit, config.evalLimit);

  const exported = await exportRunWeights(ctx, session, run);
  for (const f of exported) await writeFileAtomic(join(out, f.name), f.bytes);
  const summary = {
    kind: 'done', steps: done, seconds: (Date.now() - started) / 1000, zeroShotAccuracy: zeroShot.accuracy,
    accuracy: final.accuracy, loss: final.loss, n: final.n, split: config.evalSplit, bestAccuracy: Math.max(best.accuracy, final.accuracy),
    files: ['run.zorec', 'config.json', ...exported.map((f) => f.name)],
  };
  if (json) io.stdout(JSON.stringify(summary));
  else io.stdout(`${config.evalSplit} accuracy ${(100 * zeroShot.accuracy).toFixed(1)}% -> ${(100 * final.accuracy).toFixed(1)}% after ${done} steps (${summary.seconds.toFixed(0)} s); wrote ${summary.files.join(', ')} to ${out}`);
  return 0;
}

/** The record `--resume` names, checked before any model work: readable, and recorded with this config. */
async function readResumeRecord(path: string, config: TrainConfig, log: (e: Record<string, unknown>, human: string) => void): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  const record = decodeRunRecord(bytes, path);
  checkResumeConfig(record, config, path);
  if (record.tornBytes) {
    log({ kind: 'resume', steps: record.steps.length, tornBytes: record.tornBytes }, `${path}: the run was killed while writing a step; continuing after its ${record.steps.length} complete steps`);
  } else log({ kind: 'resume', steps: record.steps.length }, `${path}: continuing after ${record.steps.length} recorded steps`);
  return bytes;
}
