// Influence benchmark (src/engine/influence/): one direction of the per-row vectors over one batch
// of train rows (two perturbation passes, two batched forwards, the snapshot copy back) against a
// ZO training step on a batch of the same size (two forwards and three passes), alternated and
// timed alone so a passing load hits both; the median of the paired ratios is reported, and the
// throughput as row-directions per second and K = 256 vectors per second.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Backend } from '../../src/engine/gpu/backend';
import type { TrainConfig } from '../../src/engine/api';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { loadModel } from '../../src/engine/session/loadedModel';
import { Session } from '../../src/engine/session/session';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import { startRun } from '../../src/engine/session/startRun';
import { DirectionPlan } from '../../src/engine/influence/directions';
import { rowDerivatives } from '../../src/engine/influence/rowDerivatives';

const BATCH = 16;
const CONFIG: TrainConfig = {
  mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 1_000_000, lr: 1e-4, eps: 1e-3, batch: BATCH, q: 1, seed: 0,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 0,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function benchInfluence(ctx: Backend, inputs: { modelDir: string; taskDir: string }, log: (s: string) => void): Promise<Record<string, number>> {
  const reps = ctx.adapter.isSoftware ? 5 : 21;
  const session = new Session(ctx);
  session.setModel(await loadModel(ctx, await resolveModelNode(inputs.modelDir, { cache: null }), 'f32'));
  session.setTask(loadTaskFromFiles(['task.json', 'train.jsonl', 'dev.jsonl'].map((name) => ({ name, text: readFileSync(join(inputs.taskDir, name), 'utf8') }))));
  const run = await startRun(session, CONFIG);
  const trainer = run.zo!;
  const rows = session.requireTask().splits.train.slice(0, BATCH);
  const plan = new DirectionPlan(ctx, run.trainable.ranges, 0, 1e-3);
  let k = 0;
  // One direction at a time, each a new one (z regenerated as in a real computation).
  const direction = () => rowDerivatives(ctx, trainer.scorer, plan, rows, 'classification', { k: 1, first: k++, batch: BATCH });
  const step = async () => {
    await trainer.advance();
    await trainer.drain();
  };
  await direction();
  await step();
  const dirMs: number[] = [];
  const stepMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    await direction();
    await ctx.finish();
    dirMs.push(performance.now() - t);
    t = performance.now();
    await step();
    stepMs.push(performance.now() - t);
  }
  await plan.destroy();
  session.destroy();
  const ratio = median(dirMs.map((d, i) => d / stepMs[i]));
  const rowDirections = BATCH / (median(dirMs) / 1000);
  log(`influence: one direction over ${BATCH} train rows ${median(dirMs).toFixed(1)} ms / ZO step at batch ${BATCH} ${median(stepMs).toFixed(1)} ms: median of ${reps} paired ratios ${ratio.toFixed(3)}; `
    + `${rowDirections.toFixed(1)} row-directions/s = ${(rowDirections / 256).toFixed(3)} vectors/s at K = 256 (full parameters, f32)`);
  return { influenceDirectionOverZoStep: ratio, influenceRowDirectionsPerSecond: rowDirections, influenceVectorsPerSecondK256: rowDirections / 256 };
}
