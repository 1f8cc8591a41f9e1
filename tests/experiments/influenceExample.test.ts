// The README's worked example of influence ("Which training rows did this?") on the demo model,
// sized for SwiftShader: the first TRAIN rows of wn-animal-plant plus one planted row (dev row
// PLANTED duplicated into train with its label flipped), the first QUERIES dev rows as queries, a
// short full-parameter MeZO run, then
//  - `zo-studio influence --run ... --query-split dev --query-row PLANTED` (the CLI, in process):
//    vectors of every train row at the run's weights (K directions, cached beside the record), the
//    planted row's rank, and the run's trajectory attribution for that query (predicted vs actual);
//  - the same cached vectors ranked for all QUERIES dev rows at once: the share of same-class rows
//    in each query's top 10 against the share of that class in train (the random baseline), and a
//    dev row the run classifies correctly with its top proponents.
// Sized for SwiftShader on a shared 2-core machine (19 minutes: a 32-row forward took ~25 s under
// the load): 31 train rows + the planted one, 24 dev queries, K = 16, a 10-step run (batch 16,
// lr 1e-4, seed 0). Measured (README "Which training rows did this?"):
//   planted row: rank 1 by |score| (top opponent, cosine -1.000); next opponents -0.990, -0.987
//   trajectory of dev row 0 over the 10 steps: loss 0.2707 -> 0.3485, predicted +7.614e-2,
//     actual +7.779e-2 (ratio 0.979), per-step correlation 0.999
//   same-class share of the top 10 proponents over 24 dev queries: 100% (random baseline 50.0%);
//     of the top 10 opponents: 0%
// Asserted: the planted row is among the 3 most influential rows for its query (by |score|; a
// flipped copy's gradient is the query's reversed, so it is the top opponent), the same-class share
// is above the random baseline, and the trajectory's predicted total is within 0.8..1.25 of the
// actual one with a per-step correlation above 0.9.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIo } from '../helpers/captureIo';
import { DEMO_DATA, DEMO_MODEL } from '../helpers/paths';
import { acquireNodeGpu } from '../../src/engine/gpu/nodeProvider';
import { Session } from '../../src/engine/session/session';
import { startRun } from '../../src/engine/session/startRun';
import { loadModel } from '../../src/engine/session/loadedModel';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { readTaskDir } from '../../src/cli/taskArg';
import { decodeInfluenceFile } from '../../src/engine/influence/cacheFile';
import { rankQueries } from '../../src/engine/influence/checkpoint';
import { decodeRunRecord } from '../../src/engine/zo/record';
import type { TrainConfig } from '../../src/engine/api';

const TRAIN = 31;
const QUERIES = 24;
const PLANTED = 0;
const K = 16;
const STEPS = 10;
const SOURCE = join(DEMO_DATA, 'wn-animal-plant');

describe('influence worked example (demo model)', () => {
  it('finds the planted mislabeled row and reports same-class shares', async () => {
    const started = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'zo-influence-example-'));
    const log = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${s}`);
    try {
      const task = join(dir, 'task');
      mkdirSync(task);
      writeFileSync(join(task, 'task.json'), readFileSync(join(SOURCE, 'task.json')));
      const lines = (f: string) => readFileSync(join(SOURCE, f), 'utf8').trim().split('\n');
      const dev = lines('dev.jsonl').slice(0, QUERIES);
      const planted = { ...JSON.parse(dev[PLANTED]), label: 1 - JSON.parse(dev[PLANTED]).label, planted: true };
      writeFileSync(join(task, 'train.jsonl'), [...lines('train.jsonl').slice(0, TRAIN), JSON.stringify(planted)].join('\n') + '\n');
      writeFileSync(join(task, 'dev.jsonl'), dev.join('\n') + '\n');

      const run = join(dir, 'run');
      const io = captureIo();
      const trainArgs = ['train', '--model', DEMO_MODEL, '--task', task, '--steps', String(STEPS), '--batch', '16', '--lr', '1e-4', '--eps', '1e-3', '--seed', '0', '--eval-limit', '0', '--out', run, '--json'];
      expect(await main(trainArgs, io), io.err.join('\n')).toBe(0);
      const trained = JSON.parse(io.out.at(-1)!);
      log(`trained ${STEPS} steps: dev accuracy ${(100 * trained.accuracy).toFixed(1)}%`);

      const record = join(run, 'run.zorec');
      const inf = captureIo();
      expect(await main(['influence', '--model', DEMO_MODEL, '--task', task, '--run', record, '--query-split', 'dev', '--query-row', String(PLANTED), '--k', String(K), '--top', '10', '--json'], inf), inf.err.join('\n')).toBe(0);
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
      expect(rank).toBeGreaterThan(0);
      expect(rank).toBeLessThanOrEqual(3);

      // Every dev row as a query against the cached vectors, at the run's weights.
      const { context: ctx } = await acquireNodeGpu();
      const session = new Session(ctx);
      session.setModel(await loadModel(ctx, await resolveModelNode(DEMO_MODEL, {}), 'f32'));
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
      for (const [q, ranking] of rankings.entries()) {
        const label = parsed.splits.dev[q].label as number;
        share += ranking.proponents.filter((p) => trainLabels[p.sourceRow] === label).length / 10 / QUERIES;
        baseline += trainLabels.filter((l) => l === label).length / trainLabels.length / QUERIES;
      }
      log(`same-class share of the top 10 proponents over ${QUERIES} dev queries: ${(100 * share).toFixed(1)}% (random baseline ${(100 * baseline).toFixed(1)}%)`);
      let oppShare = 0;
      for (const [q, ranking] of rankings.entries()) oppShare += ranking.opponents.filter((p) => trainLabels[p.sourceRow] === parsed.splits.dev[q].label).length / 10 / QUERIES;
      log(`same-class share of the top 10 opponents: ${(100 * oppShare).toFixed(1)}%`);
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
      log(`dev accuracy of the run on the ${QUERIES} queries: ${(100 * predictions.filter((p, q) => p === parsed.splits.dev[q].label).length / QUERIES).toFixed(1)}%`);
      session.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
