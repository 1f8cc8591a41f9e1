// `zo-studio train`: MeZO (or another ZO optimizer) on a task folder, headless. Writes the run
// record (run.zorec: replays the trained weights bit for bit) and the trained weights (PEFT
// adapter, sparse deltas, or model.safetensors) to --out. Progress: human lines, or JSON lines.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { numberFlag, parseArgs, optionalString, stringFlag } from '../args';
import { RecordFileWriter, writeFileAtomic } from '../recordFile';
import type { CliIo } from '../io';
import { acquireCliBackend } from '../gpu';
import { loadCliModel } from '../openModel';
import { setCliTask } from '../taskArg';
import { trainConfigFromArgs } from '../trainConfig';
import { exportRunWeights } from '../../engine/session/exportWeights';
import { Session } from '../../engine/session/session';
import { runLoop } from '../../engine/session/runLoop';
import { startRun } from '../../engine/session/startRun';
import type { StepOutcome } from '../../engine/session/run';
import { ZoproRun } from '../../engine/preference/zoproRun';
import { DEFAULT_ZOPRO } from '../../engine/config';
import { decodeRunRecord } from '../../engine/zo/record';
import { checkResumeConfig } from '../../engine/zo/validateConfig';
import type { EngineEvent, EvalMetrics, RewardMetrics, TrainConfig } from '../../engine/api';
import { readFile } from 'node:fs/promises';
import { applyPreferenceFlags, logRewardEvent, previousRewards, readZoproResume, writeZoproRun, ZoproFiles } from './preference';
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
  const zopro = config.objective === 'zopro'; // ZOPrO samples its own batches: no task evaluation, reward curves instead
  const fsyncEvery = numberFlag(args, 'fsync-every', 10);
  const resume = !resumePath ? undefined : zopro ? await readZoproResume(resumePath, config, log) : await readResumeRecord(resumePath, config, log);
  const ctx = await acquireCliBackend(io, args);
  const session = new Session(ctx);
  session.setModel(await loadCliModel(ctx, args, io));
  await setCliTask(session, args, io, stringFlag(args, 'task'));

  const zeroShot = zopro ? null : await session.evaluate(config.evalSplit, config.evalLimit, 0);
  if (zeroShot) log({ kind: 'eval', ...zeroShot, zeroShot: true }, `zero-shot ${config.evalSplit} accuracy ${(100 * zeroShot.accuracy).toFixed(1)}% (n=${zeroShot.n}), loss ${zeroShot.loss.toFixed(4)}`);

  let shown = -1;
  const run = await startRun(session, config, resume, {
    meta: { source: 'cli' },
    onProgress: (phase, done, total) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth === shown) return;
      shown = tenth;
      log({ kind: 'progress', phase, done, total }, `${phase}: ${done} / ${total}`);
    },
  });
  if (zopro) {
    if (!json) io.stderr(`${run.trainable.describe()}; reward: ${JSON.stringify(config.zopro?.reward ?? DEFAULT_ZOPRO.reward)}`);
  } else log({ kind: 'run', mode: config.mode, trainable: run.trainable.parameters, describe: run.trainable.describe() }, run.trainable.describe());
  const probeBefore = run instanceof ZoproRun ? await run.trainer.probeReward() : 0;
  // Written as the run goes: a killed run leaves its config and every step it finished (run.zorec
  // grows by each step's entry, whatever the objective; ZOPrO also rewrites rewards.jsonl).
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, 'config.json'), JSON.stringify(config, null, 2));
  const recordFile = await RecordFileWriter.create(join(out, 'run.zorec'), run.encodeRecord(), run.stepsDone, fsyncEvery);
  const zoproFiles = run instanceof ZoproRun ? new ZoproFiles(out, fsyncEvery) : null;
  const started = Date.now();
  let lastLine = 0;
  let best = { accuracy: zeroShot?.accuracy ?? 0, step: 0 };
  let lastEval: EvalMetrics | null = null;
  // A resumed ZOPrO run keeps the curve of the steps it continues from.
  const curve: RewardMetrics[] = zopro && resumePath ? await previousRewards(join(dirname(resumePath), 'rewards.jsonl'), run.stepsDone) : [];
  const emit = (e: EngineEvent) => {
    logRewardEvent(e, json, io); // preference hook: DPO and ZOPrO reward curves
    // Events count steps done (api.ts EngineEvent); the CLI prints as it always has: --json step
    // and warning lines carry the step's 0-based index, the progress line the steps done.
    if (e.kind === 'step') {
      const m = { ...e.metrics, step: e.metrics.step - 1 };
      if (json) io.stdout(JSON.stringify({ kind: 'step', ...m }));
      else if (!zopro && (Date.now() - lastLine > 2000 || m.step + 1 === config.steps)) {
        lastLine = Date.now();
        const rate = (m.step + 1) / ((Date.now() - started) / 1000);
        io.stderr(`step ${m.step + 1}/${config.steps}  loss ${m.loss.toFixed(4)}  g ${m.projectedGrad.toExponential(2)}  ${rate.toFixed(2)} steps/s`);
      }
    } else if (e.kind === 'run-warning') {
      log({ kind: 'warning', ...e.warning, step: e.warning.step - 1 }, `warning: ${e.warning.message}`);
    } else if (e.kind === 'eval') {
      lastEval = e.metrics;
      if (e.metrics.accuracy > best.accuracy) best = { accuracy: e.metrics.accuracy, step: e.metrics.step };
      log({ kind: 'eval', ...e.metrics }, `step ${e.metrics.step}: ${e.metrics.split} accuracy ${(100 * e.metrics.accuracy).toFixed(1)}%, loss ${e.metrics.loss.toFixed(4)}`);
    }
  };
  const onStep = (outcome: StepOutcome) => {
    if (!outcome.reward) {
      void recordFile.append(outcome.entry);
      return;
    }
    curve.push(outcome.reward);
    // The curve point is on disk before the record holds its step (a resume trims a curve that is ahead).
    void recordFile.append(outcome.entry, zoproFiles?.save(curve));
    if (json && outcome.rollouts) io.stdout(JSON.stringify({ kind: 'rollouts', step: outcome.reward.step, samples: outcome.rollouts.slice(0, 4) }));
  };
  try {
    await runLoop(session, 'cli', { requested: 'none' }, { emit, skipInitialEval: true, onStep });
    await recordFile.finish();
  } finally {
    await recordFile.close();
  }
  const writeExports = async () => {
    const exported = await exportRunWeights(ctx, session, run);
    for (const f of exported) await writeFileAtomic(join(out, f.name), f.bytes);
    return exported.map((f) => f.name);
  };
  if (run instanceof ZoproRun) return writeZoproRun(run, out, json, io, { curve, probeBefore, started, files: zoproFiles!, writeExports });
  // The run loop already evaluated the final weights when the last step fell on an evaluation.
  const done = run.stepsDone;
  const final = lastEval && (lastEval as EvalMetrics).step === done ? (lastEval as EvalMetrics) : await session.evaluate(config.evalSplit, config.evalLimit);
  const zeroShotAccuracy = zeroShot!.accuracy;

  const exported = await writeExports();
  const summary = {
    kind: 'done', steps: done, seconds: (Date.now() - started) / 1000, zeroShotAccuracy,
    accuracy: final.accuracy, loss: final.loss, n: final.n, split: config.evalSplit, bestAccuracy: Math.max(best.accuracy, final.accuracy),
    files: ['run.zorec', 'config.json', ...exported],
  };
  if (json) io.stdout(JSON.stringify(summary));
  else io.stdout(`${config.evalSplit} accuracy ${(100 * zeroShotAccuracy).toFixed(1)}% -> ${(100 * final.accuracy).toFixed(1)}% after ${done} steps (${summary.seconds.toFixed(0)} s); wrote ${summary.files.join(', ')} to ${out}`);
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
