// Model-level benchmark on the demo model (or --model DIR), every figure a ratio measured in the same run:
//   forward tokens/s at batch 1 and batch 16;
//   ZO step time / (2 x forward time) for full-parameter and sparse (q4 base) tuning
//     (MeZO's claim: a step costs two forward passes; targets <= 1.15 full, <= 1.03 sparse);
//   training peak GPU memory / inference peak memory at the same batch (target <= 1.05).
import { startRun } from '../../src/engine/session/startRun';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../../src/engine/gpu/backend';
import type { TrainConfig, WeightPrecision } from '../../src/engine/api';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { loadModel } from '../../src/engine/session/loadedModel';
import { Session } from '../../src/engine/session/session';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import { LlamaForward } from '../../src/engine/model/llama';
import { BatchSampler } from '../../src/engine/data/sampler';
import { median } from './peers/stats';

const SEQ = 32;

const CONFIG: TrainConfig = {
  mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 1_000_000, lr: 1e-4, eps: 1e-3, batch: 16, q: 1, seed: 0,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 0,
};

export interface BenchInputs {
  modelDir: string;
  /** A classification task whose batches the forward passes and ZO steps run on. */
  taskDir: string;
}

/** A session with the model loaded at `precision` and the bench task set (also used by peers.ts). */
export async function openBenchSession(ctx: Backend, inputs: BenchInputs, precision: WeightPrecision): Promise<Session> {
  const s = new Session(ctx);
  s.setModel(await loadModel(ctx, await resolveModelNode(inputs.modelDir, { cache: null }), precision));
  const files = ['task.json', 'train.jsonl', 'dev.jsonl'].map((name) => ({ name, text: readFileSync(join(inputs.taskDir, name), 'utf8') }));
  s.setTask(loadTaskFromFiles(files));
  return s;
}

async function time(ctx: Backend, reps: number, work: () => void | Promise<unknown>): Promise<number> {
  await work();
  await ctx.finish();
  const t = performance.now();
  for (let i = 0; i < reps; i++) await work();
  await ctx.finish();
  return (performance.now() - t) / reps;
}

export async function benchModel(ctx: Backend, inputs: BenchInputs, log: (s: string) => void): Promise<Record<string, number>> {
  const reps = ctx.adapter.isSoftware ? 7 : 21;
  const out: Record<string, number> = {};
  const s = await openBenchSession(ctx, inputs, 'f32');
  log(`model ${inputs.modelDir}: ${s.requireModel().config.layers} layers, hidden ${s.requireModel().config.hidden}`);
  const model = s.requireModel();

  for (const batch of [1, 16]) {
    const fwd = new LlamaForward(ctx, model.config, model.weights, { maxBatch: batch, maxSeqLen: SEQ, maxPositions: batch, maxCandidates: 2 });
    const input = { ids: new Uint32Array(batch * SEQ).fill(300), batch, seqLen: SEQ, positions: Uint32Array.from({ length: batch }, (_, b) => b * SEQ + SEQ - 1), targets: new Uint32Array(batch * 2), candidates: 2 };
    fwd.setInput(input);
    const ms = await time(ctx, reps, () => ctx.submit((p) => fwd.encode(p)));
    out[`forwardTokensPerSecondBatch${batch}`] = (batch * SEQ) / (ms / 1000);
    log(`forward, batch ${batch} x ${SEQ} tokens: ${ms.toFixed(1)} ms = ${out[`forwardTokensPerSecondBatch${batch}`].toFixed(0)} tokens/s`);
    fwd.destroy();
  }

  const opened = [s];
  for (const [mode, precision] of [['full', 'f32'], ['sparse', 'q4']] as const) {
    const sess = mode === 'full' ? s : await openBenchSession(ctx, inputs, precision);
    if (sess !== s) opened.push(sess);
    await sess.evaluate('dev', 16); // builds the inference forward at this batch
    const inference = ctx.ledger.snapshot().total;
    ctx.ledger.resetPeak();
    const run = await startRun(sess, { ...CONFIG, mode, lr: mode === 'full' ? 1e-4 : 1e-3 });
    const trainer = run.zo!;
    // The forward passes see exactly the batches the ZO steps will (same sampler, same seed),
    // so the ratio compares like with like (padded lengths differ from batch to batch).
    const train = sess.requireTask().splits.train;
    const sampler = new BatchSampler(train.length, CONFIG.batch, CONFIG.seed);
    const forward = async () => {
      trainer.scorer.prepare(trainer.scorer.batch(sampler.next().map((i) => train[i]), 'classification'));
      ctx.submit((p) => trainer.scorer.encode(p, 0));
      await ctx.finish();
    };
    const step = async () => {
      await trainer.advance();
      await trainer.drain();
    };
    // Forward and step alternate, each timed alone to completion, so a load that comes and goes
    // (this machine shares its cores) hits both alike; the median of the pairs' ratios is reported.
    await forward();
    await step();
    const ratios: number[] = [];
    const fwdMs: number[] = [];
    const stepMs: number[] = [];
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      await forward();
      fwdMs.push(performance.now() - t);
      t = performance.now();
      await step();
      stepMs.push(performance.now() - t);
      ratios.push(stepMs[i] / (2 * fwdMs[i]));
    }
    // One pass over the trainable weights (+eps z, then -eps z to undo it): the unit of a step's
    // overhead over its two forwards (a step makes three).
    const plan = trainer.plan;
    plan.setStep(0);
    const passMs = (await time(ctx, reps, () => ctx.submit((p) => {
      plan.encodeOp(p, { kind: 'perturb', j: 0, coef: 1 });
      plan.encodeOp(p, { kind: 'perturb', j: 0, coef: -1 });
    }))) / 2;
    out[`${mode}WeightPassMs`] = passMs;
    const training = ctx.ledger.snapshot().peak;
    out[`${mode}StepOverTwoForwards`] = median(ratios);
    out[`${mode}TrainingOverInferenceMemory`] = training / inference;
    log(`${mode} (${precision} base): ZO step ${median(stepMs).toFixed(1)} ms / (2 x forward ${median(fwdMs).toFixed(1)} ms): median of ${reps} paired ratios ${out[`${mode}StepOverTwoForwards`].toFixed(3)} ` +
      `(range ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}); one pass over the trainable weights ${passMs.toFixed(1)} ms; ` +
      `training peak ${(training / 2 ** 20).toFixed(1)} MiB / inference ${(inference / 2 ** 20).toFixed(1)} MiB = ${out[`${mode}TrainingOverInferenceMemory`].toFixed(3)} (${run.trainable.describe()})`);
  }
  // Their checkpoint files stay open while a model is loaded; close them before Node exits.
  for (const x of opened) await x.requireModel().resolved.reader.close?.();
  return out;
}
