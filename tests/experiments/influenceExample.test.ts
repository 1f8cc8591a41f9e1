// The README's worked example of influence ("Which training rows did this?") on the demo model:
// every train row of wn-animal-plant (TRAIN = 1,000) plus one planted row (dev row PLANTED
// duplicated into train with its label flipped, the last train line), a full-parameter MeZO run
// long enough to be above chance on dev (250 steps, batch 16, lr 1e-4, eps 1e-3, seed 0: the
// PyTorch reference's 59% point), then
//  - `zo-studio influence --run ... --query-split dev --query-row PLANTED` (the CLI, in process):
//    vectors of every train row at the run's weights (K directions, cached beside the record), the
//    planted row's rank, and the run's trajectory attribution for that query (predicted vs actual);
//  - the same cached vectors ranked for the first QUERIES = 50 dev rows at once: the share of
//    same-class rows in each query's top 10 against the share of that class in train (the random
//    baseline), and a dev row the run classifies correctly with its top proponents.
// The backend is a parameter: ZO_BACKEND=cpu (default: the WASM SIMD kernels, ZO_THREADS threads,
// default 2) or webgpu; ZO_INFLUENCE_K, _STEPS, _LR, _TRAIN resize it, and ZO_INFLUENCE_DIR keeps
// the task, run and vectors in a folder so that a rerun reuses them.
// Measured on the CPU backend, 2 threads, on a 2-core machine shared with three other jobs (the run
// trained first by `zo-studio train` with these arguments, then reused via ZO_INFLUENCE_DIR): the
// run trained in 165 s (dev accuracy on all 500 dev rows 50.2% -> 56.6% at step 125 -> 59.0% at
// step 250; 66.0% on the 50 queries), the vectors of 1,001 rows x K = 32 (64 perturbation passes +
// 2,048 batched forwards of 32) in 726 s (44 row-directions/s; a 66.5 KiB cache), the influence
// command in all (with the query and the 250-step trajectory replay) 777 s, the 50 queries 62 s:
// about 17 minutes. K = 256 would take ~1.6 h at that rate. Figures (README "Which training rows
// did this?"):
//   planted row: rank 1 by |score| (top opponent, cosine -1.000); next opponents -0.982, -0.982
//   trajectory of dev row 0 over the 250 steps: loss 0.2707 -> 0.6698, predicted +3.600e-1,
//     actual +3.991e-1 (ratio 0.902), per-step correlation 0.998
//   same-class share of the top 10 proponents over 50 dev queries: 100% (random baseline 50.0%);
//     of the top 10 opponents: 0%; top-10 cosines 0.773 to 0.993; the train vectors' dominant
//     direction holds 93.7% of their energy, and with it removed the share is 76.6% (two runs;
//     69.8% in a third: the CPU backend on 2 threads is not always bit-identical between
//     processes (dev row 2's loss at the replayed weights 0.629266 in two 2-thread and two
//     1-thread processes, 0.629979 in a third 2-thread one), and the small residual is
//     sensitive to that; cause not isolated)
//   a dev row the run got right: dev row 2 "mint with leaves ..." [plant], top proponents five
//     plant glosses at cosines 0.984-0.990
// Asserted: the planted row is among the 3 most influential rows for its query (by |score|; a
// flipped copy's gradient is the query's reversed, so it is the top opponent), the same-class share
// is above the random baseline, and the trajectory's predicted total is within 0.8..1.25 of the
// actual one with a per-step correlation above 0.9.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIo } from '../helpers/captureIo';
import { DEMO_DATA, DEMO_MODEL } from '../helpers/paths';
import { acquireNodeGpu } from '../../src/engine/gpu/nodeProvider';
import type { Backend } from '../../src/engine/gpu/backend';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';
import { parseBackendChoice } from '../../src/engine/backends/choose';
import { Session } from '../../src/engine/session/session';
import { startRun } from '../../src/engine/session/startRun';
import { loadModel } from '../../src/engine/session/loadedModel';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { readTaskDir } from '../../src/cli/taskArg';
import { decodeInfluenceFile } from '../../src/engine/influence/cacheFile';
import { rankQueries, vectorsOf, withInfluenceFrame } from '../../src/engine/influence/checkpoint';
import { influenceScores } from '../../src/engine/influence/ranking';
import { queryExample } from '../../src/engine/influence/query';
import { decodeRunRecord } from '../../src/engine/zo/record';
import type { TrainConfig } from '../../src/engine/api';

/** Where the kernels run: ZO_BACKEND=cpu|webgpu (default cpu), ZO_THREADS (CPU threads, default 2). */
const BACKEND = parseBackendChoice(process.env.ZO_BACKEND ?? 'cpu');
const THREADS = Number(process.env.ZO_THREADS ?? 2);
/** Train rows of wn-animal-plant used (all 1,000 by default), before the planted one. */
const TRAIN = Number(process.env.ZO_INFLUENCE_TRAIN ?? 1000);
const QUERIES = 50;
const PLANTED = 0;
/** Directions: 32 took 726 s on 2 threads here; 256 (the issue's default) would take ~1.6 h. */
const K = Number(process.env.ZO_INFLUENCE_K ?? 32);
const STEPS = Number(process.env.ZO_INFLUENCE_STEPS ?? 250);
const LR = process.env.ZO_INFLUENCE_LR ?? '1e-4';
const SOURCE = join(DEMO_DATA, 'wn-animal-plant');
/** A folder to keep the task, run and vectors in (a rerun reuses the run and the cached vectors). */
const KEEP = process.env.ZO_INFLUENCE_DIR;

async function makeBackend(): Promise<Backend> {
  return BACKEND === 'cpu' ? CpuBackend.create({ threads: THREADS, spawn: nodePoolThread }) : (await acquireNodeGpu()).context;
}

describe('influence worked example (demo model)', () => {
  it('finds the planted mislabeled row and reports same-class shares', { timeout: 4 * 3600_000 }, async () => {
    const started = Date.now();
    const dir = KEEP ?? mkdtempSync(join(tmpdir(), 'zo-influence-example-'));
    const log = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${s}`);
    const backendArgs = ['--backend', BACKEND, ...(BACKEND === 'cpu' ? ['--threads', String(THREADS)] : [])];
    log(`backend ${BACKEND}${BACKEND === 'cpu' ? `, ${THREADS} threads` : ''}; ${TRAIN} train rows + 1 planted, ${QUERIES} dev queries, K = ${K}, ${STEPS} steps at lr ${LR}`);
    let backend: Backend | null = null;
    let session: Session | null = null;
    try {
      // The task: the first TRAIN train rows plus dev row PLANTED with its label flipped (the last
      // train line), and the whole dev split (the run's accuracy is measured on all of it).
      const task = join(dir, 'task');
      mkdirSync(task, { recursive: true });
      writeFileSync(join(task, 'task.json'), readFileSync(join(SOURCE, 'task.json')));
      const lines = (f: string) => readFileSync(join(SOURCE, f), 'utf8').trim().split('\n');
      const dev = lines('dev.jsonl');
      const planted = { ...JSON.parse(dev[PLANTED]), label: 1 - JSON.parse(dev[PLANTED]).label, planted: true };
      writeFileSync(join(task, 'train.jsonl'), [...lines('train.jsonl').slice(0, TRAIN), JSON.stringify(planted)].join('\n') + '\n');
      writeFileSync(join(task, 'dev.jsonl'), dev.join('\n') + '\n');

      const run = join(dir, 'run');
      const record = join(run, 'run.zorec');
      if (!existsSync(record)) {
        const io = captureIo();
        const trainArgs = ['train', '--model', DEMO_MODEL, '--task', task, ...backendArgs, '--steps', String(STEPS), '--batch', '16', '--lr', LR, '--eps', '1e-3', '--seed', '0',
          '--eval-limit', '0', '--eval-every', String(Math.max(1, STEPS / 2)), '--row-derivs', '--out', run, '--json'];
        expect(await main(trainArgs, io), io.err.join('\n')).toBe(0);
        const evals = io.out.map((l) => JSON.parse(l)).filter((e) => e.kind === 'eval');
        log(`trained ${STEPS} steps: dev accuracy (500 rows) ${evals.map((e) => `step ${e.step} ${(100 * e.accuracy).toFixed(1)}%`).join(', ')}`);
      } else log(`run ${record} kept from an earlier try: not trained again`);

      const inf = captureIo();
      expect(await main(['influence', '--model', DEMO_MODEL, '--task', task, ...backendArgs, '--run', record, '--query-split', 'dev', '--query-row', String(PLANTED), '--k', String(K), '--top', '10', '--json'], inf), inf.err.join('\n')).toBe(0);
      const r = JSON.parse(inf.out.at(-1)!);
      log(`vectors: ${JSON.stringify(r.cost)} in ${r.seconds.toFixed(0)} s`);
      const plantedLine = TRAIN + 1;
      const byMagnitude = [...r.proponents, ...r.opponents].sort((a: { score: number }, b: { score: number }) => Math.abs(b.score) - Math.abs(a.score));
      const rank = byMagnitude.findIndex((p: { line: number }) => p.line === plantedLine) + 1;
      const opponentRank = r.opponents.findIndex((p: { line: number }) => p.line === plantedLine) + 1;
      log(`planted row (train line ${plantedLine}, dev row ${PLANTED} with its label flipped): rank ${rank} by |score|, opponent rank ${opponentRank}, score ${r.opponents[opponentRank - 1]?.score.toFixed(3)}`);
      log(`top opponents of dev row ${PLANTED}: ${r.opponents.slice(0, 3).map((p: { line: number; score: number }) => `line ${p.line} (${p.score.toFixed(3)})`).join(', ')}`);
      const t = r.trajectory;
      log(`trajectory: loss ${t.lossBefore.toFixed(4)} -> ${t.lossAfter.toFixed(4)}, predicted ${t.predictedTotal.toExponential(3)}, actual ${t.actualTotal.toExponential(3)}, ratio ${(t.predictedTotal / t.actualTotal).toFixed(3)}, per-step correlation ${t.correlation.toFixed(3)}`);
      log(`trajectory: rows that lowered the query's loss most: ${t.proponents.slice(0, 3).map((p: { line: number; score: number }) => `line ${p.line} (${p.score.toExponential(2)})`).join(', ')}; raised most: ${t.opponents.slice(0, 3).map((p: { line: number; score: number }) => `line ${p.line} (${p.score.toExponential(2)})`).join(', ')}`);
      log(`influence command in all: ${((Date.now() - started) / 1000).toFixed(0)} s since the start`);
      expect(rank).toBeGreaterThan(0);
      expect(rank).toBeLessThanOrEqual(3);

      // Every query dev row against the cached vectors, at the run's weights.
      backend = await makeBackend();
      session = new Session(backend);
      session.setModel(await loadModel(backend, await resolveModelNode(DEMO_MODEL, {}), 'f32'));
      const parsed = await readTaskDir(task);
      session.setTask(parsed);
      const bytes = new Uint8Array(readFileSync(record));
      const config = decodeRunRecord(bytes).header.meta!.config as TrainConfig;
      const held = await startRun(session, config, bytes);
      const file = decodeInfluenceFile(new Uint8Array(readFileSync(r.cache)));
      const queries = Array.from({ length: QUERIES }, (_, row) => ({ split: 'dev', row }));
      const rankings = await rankQueries(session, config, file, queries, 10);
      const encodedDev = session.requireTask().splits.dev;
      const predictions = (await held.zo!.scorer.evaluate(encodedDev, 'classification', 32)).predictions;
      const trainLabels = parsed.splits.train.map((row) => row.label as number);
      let share = 0;
      let baseline = 0;
      let oppShare = 0;
      for (const [q, ranking] of rankings.entries()) {
        const label = parsed.splits.dev[q].label as number;
        share += ranking.proponents.filter((p) => trainLabels[p.sourceRow] === label).length / 10 / QUERIES;
        oppShare += ranking.opponents.filter((p) => trainLabels[p.sourceRow] === label).length / 10 / QUERIES;
        baseline += trainLabels.filter((l) => l === label).length / trainLabels.length / QUERIES;
      }
      log(`same-class share of the top 10 proponents over ${QUERIES} dev queries: ${(100 * share).toFixed(1)}% (random baseline ${(100 * baseline).toFixed(1)}%)`);
      log(`same-class share of the top 10 opponents: ${(100 * oppShare).toFixed(1)}%`);
      const cosines = rankings.flatMap((ranking) => ranking.proponents.map((p) => p.score));
      log(`top-10 proponent cosines over the ${QUERIES} queries: ${Math.min(...cosines).toFixed(3)} to ${Math.max(...cosines).toFixed(3)}`);
      // Is the share only the label? Every row's vector is mostly along one shared direction (the
      // one that moves the " animal" score against the " plant" score): remove the train vectors'
      // dominant direction u (top right singular vector) from train and query vectors alike and
      // measure the same share on the cosines of what is left.
      const dims = file.header.dims;
      const { u, energy } = dominantDirection(file.vectors, dims);
      const qv = await withInfluenceFrame(session, config, (frame) => vectorsOf(frame, queries.map((q) => queryExample(session!, q)), { k: file.header.k, seed: file.header.seed, eps: file.header.eps, blocks: false }));
      const residualTrain = withoutDirection(file.vectors, dims, u);
      const residualQueries = withoutDirection(qv.vectors, dims, u);
      const sourceRows = session.requireTask().sourceRows.train;
      let residualShare = 0;
      for (let q = 0; q < QUERIES; q++) {
        const scores = influenceScores(residualTrain, dims, residualQueries.subarray(q * dims, (q + 1) * dims));
        const top10 = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, 10);
        residualShare += top10.filter((i) => trainLabels[sourceRows[i]] === parsed.splits.dev[q].label).length / 10 / QUERIES;
      }
      log(`the train vectors' dominant direction holds ${(100 * energy).toFixed(1)}% of their energy; with it removed, the same-class share of the top 10 proponents is ${(100 * residualShare).toFixed(1)}%`);
      expect(share).toBeGreaterThan(baseline);
      expect(t.predictedTotal / t.actualTotal).toBeGreaterThan(0.8);
      expect(t.predictedTotal / t.actualTotal).toBeLessThan(1.25);
      expect(t.correlation).toBeGreaterThan(0.9);
      const right = rankings.findIndex((_, q) => q !== PLANTED && predictions[q] === parsed.splits.dev[q].label);
      const spec = parsed.spec;
      log(`a dev row the run got right: dev row ${right} ${JSON.stringify(parsed.splits.dev[right].text)} [${spec.label_words![parsed.splits.dev[right].label as number].trim()}], loss ${rankings[right].queryLoss.toFixed(3)}`);
      for (const p of rankings[right].proponents.slice(0, 5)) {
        const row = parsed.splits.train[p.sourceRow];
        log(`  ${p.score.toFixed(3)}  train line ${p.sourceRow + 1} [${spec.label_words![row.label as number].trim()}] ${JSON.stringify(String(row.text).slice(0, 80))}`);
      }
      const correct = predictions.filter((p, q) => p === parsed.splits.dev[q].label).length;
      log(`dev accuracy of the run: ${(100 * correct / predictions.length).toFixed(1)}% on all ${predictions.length} dev rows, ${(100 * predictions.slice(0, QUERIES).filter((p, q) => p === parsed.splits.dev[q].label).length / QUERIES).toFixed(1)}% on the ${QUERIES} queries`);
      log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      session?.destroy();
      backend?.destroy();
      if (!KEEP) rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Top right singular vector of rows x dims `v` (power iteration on VᵀV) and its share of ‖V‖². */
function dominantDirection(v: Float32Array, dims: number): { u: Float64Array; energy: number } {
  const gram = new Float64Array(dims * dims);
  let total = 0;
  for (let r = 0; r < v.length / dims; r++) {
    for (let a = 0; a < dims; a++) {
      const x = v[r * dims + a];
      total += x * x;
      for (let b = 0; b < dims; b++) gram[a * dims + b] += x * v[r * dims + b];
    }
  }
  let u = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  let lambda = 0;
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(dims);
    for (let a = 0; a < dims; a++) for (let b = 0; b < dims; b++) next[a] += gram[a * dims + b] * u[b];
    lambda = Math.hypot(...next);
    u = next.map((x) => x / lambda);
  }
  return { u, energy: lambda / total };
}

/** Each row of `v` with its component along the unit vector `u` removed. */
function withoutDirection(v: Float32Array, dims: number, u: Float64Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < v.length / dims; r++) {
    let dot = 0;
    for (let c = 0; c < dims; c++) dot += v[r * dims + c] * u[c];
    for (let c = 0; c < dims; c++) out[r * dims + c] = v[r * dims + c] - dot * u[c];
  }
  return out;
}
