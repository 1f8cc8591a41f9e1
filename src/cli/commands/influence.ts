// `zo-studio influence`: which training rows did this? RapidIn-style influence from forward passes
// only (src/engine/influence/): every train row's K-vector of directional derivatives at the
// weights (the base model, or a run's replayed weights with --run), cached in a file beside the
// run record (or in the task folder), ranked for a query by cosine similarity; with --run, also
// the run's trajectory attribution for the query (each row's share of the query's loss change).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boolFlag, numberFlag, optionalString, parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../io';
import { acquireCliBackend } from '../gpu';
import { loadCliModel } from '../openModel';
import { setCliTask } from '../taskArg';
import { trainConfigFromArgs } from '../trainConfig';
import { writeFileAtomic } from '../recordFile';
import { Session } from '../../engine/session/session';
import { startRun } from '../../engine/session/startRun';
import { decodeRunRecord } from '../../engine/zo/record';
import { InvalidFileError } from '../../engine/files/invalidFile';
import { formatBytes } from '../../engine/gpu/errors';
import { promptText } from '../../engine/data/encode';
import type { InfluenceCost, InfluenceQuery, InfluenceScore, TrainConfig } from '../../engine/api';
import { INFLUENCE_DEFAULTS, rankQueries, vectorsCacheMatches, trainVectors } from '../../engine/influence/checkpoint';
import { decodeInfluenceFile, type InfluenceVectors } from '../../engine/influence/cacheFile';
import { influenceKey } from '../../engine/influence/keys';
import { describeQuery, queryExample } from '../../engine/influence/query';
import { attributeTrajectory } from '../../engine/influence/trajectory';

export const INFLUENCE_USAGE = `  influence --model M --task DIR [--run run.zorec] --query-split dev --query-row N | --prompt P --answer A
          [--k ${INFLUENCE_DEFAULTS.k}] [--top ${INFLUENCE_DEFAULTS.top}] [--seed ${INFLUENCE_DEFAULTS.seed}] [--influence-eps ${INFLUENCE_DEFAULTS.eps}] [--blocks]
          [--cache FILE] [--no-trajectory] [--mode ...as train, without --run] [--json]
          which train rows push the query's loss down (proponents) or up (opponents): K seeded
          directional derivatives per row, cached beside the run (or in DIR); with --run, also
          each row's share of the run's change of the query's loss (trajectory attribution)`;

export async function influenceCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json', 'blocks', 'no-trajectory', 'one-sided']);
  const json = args.flags.has('json');
  const query = queryFromArgs(args);
  const k = numberFlag(args, 'k', INFLUENCE_DEFAULTS.k);
  if (!Number.isInteger(k) || k < 1 || k > 65536) throw new UsageError(`--k is the number of directions, 1 to 65536; got ${k}`);
  const top = numberFlag(args, 'top', INFLUENCE_DEFAULTS.top);
  const options = { k, seed: numberFlag(args, 'seed', INFLUENCE_DEFAULTS.seed) >>> 0, eps: numberFlag(args, 'influence-eps', INFLUENCE_DEFAULTS.eps), blocks: boolFlag(args, 'blocks') };
  const taskDir = stringFlag(args, 'task');
  const runPath = optionalString(args, 'run');

  const ctx = await acquireCliBackend(io, args);
  const session = new Session(ctx);
  session.setModel(await loadCliModel(ctx, args, io));
  const task = await setCliTask(session, args, io, taskDir);
  const queryEx = queryExample(session, query);
  let config: TrainConfig = trainConfigFromArgs(args);
  let record: Uint8Array | null = null;
  if (runPath) {
    record = new Uint8Array(await readFile(runPath));
    const decoded = decodeRunRecord(record, runPath);
    const recorded = decoded.header.meta?.config as TrainConfig | undefined;
    if (!recorded) throw new InvalidFileError(runPath, 'header.meta.config', 'the training config (records written by zo-studio train or the app hold it)', 'missing');
    config = recorded;
    await startRun(session, config, record); // the run's weights, replayed
  }
  const say = (text: string) => {
    if (!json) io.stdout(text);
  };

  // The vectors: from the cache when it is of these weights and settings, else computed.
  const key = await influenceKey(session, config);
  const cachePath = optionalString(args, 'cache') ?? (runPath ? `${runPath}.k${k}-s${options.seed}${options.blocks ? '-blocks' : ''}.zoinf` : join(taskDir, `influence-${key.model.slice(0, 8)}-${key.weights.slice(0, 8)}-k${k}-s${options.seed}${options.blocks ? '-blocks' : ''}.zoinf`));
  let vectors: InfluenceVectors | null = null;
  let cacheNote = '';
  if (existsSync(cachePath)) {
    try {
      const cached = decodeInfluenceFile(new Uint8Array(await readFile(cachePath)), cachePath);
      const why = vectorsCacheMatches(cached, key, session.requireTask().splits.train.length, options);
      if (why) cacheNote = `cache ${cachePath} not used: ${why}`;
      else vectors = cached;
    } catch (e) {
      cacheNote = `cache ${cachePath} not used: ${(e as Error).message}`;
    }
  }
  if (cacheNote && !json) io.stderr(cacheNote);
  let cost: InfluenceCost | null = null;
  let seconds = 0;
  if (!vectors) {
    const started = Date.now();
    let shown = -1;
    const computed = await trainVectors(session, config, {
      ...options,
      onProgress: (done, total, c) => {
        if (done === 0) {
          cost = c;
          if (!json) io.stderr(describeCost(c));
        }
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== shown && done > 0 && !json) {
          const elapsed = (Date.now() - started) / 1000;
          io.stderr(`directions ${done} / ${total} (${elapsed.toFixed(0)} s, ~${((elapsed * (total - done)) / done).toFixed(0)} s left)`);
        }
        shown = tenth;
      },
    });
    seconds = (Date.now() - started) / 1000;
    await writeFileAtomic(cachePath, computed.bytes);
    vectors = computed.file;
    say(`vectors: ${vectors.header.rows} rows x ${vectors.header.dims} in ${seconds.toFixed(1)} s (${(vectors.header.rows * options.k / Math.max(seconds, 1e-9)).toFixed(0)} row-directions/s); cache ${cachePath} (${formatBytes(computed.bytes.length)})`);
  } else {
    say(`vectors: read from ${cachePath} (${vectors.header.rows} rows x ${vectors.header.dims})`);
  }

  const [ranking] = await rankQueries(session, config, vectors, [query], top);
  const spec = task.spec;
  const rows = task.splits.train;
  const describeRow = (s: InfluenceScore) => {
    const row = rows[s.sourceRow];
    const label = typeof row.label === 'number' && spec.label_words ? ` [${spec.label_words[row.label].trim()}]` : '';
    return { ...s, text: promptText(spec, row), label: typeof row.label === 'number' ? row.label : undefined, line: task.lines?.train?.[s.sourceRow] ?? s.sourceRow + 1, shown: `${label} ${JSON.stringify(promptText(spec, row).slice(0, 70))}` };
  };
  const proponents = ranking.proponents.map(describeRow);
  const opponents = ranking.opponents.map(describeRow);
  say(`query: ${describeQuery(query)}, loss ${ranking.queryLoss.toFixed(4)}`);
  say(`top ${top} proponents (cosine of directional-derivative vectors; train file line):`);
  for (const p of proponents) say(`  ${p.score.toFixed(3).padStart(7)}  line ${String(p.line).padStart(5)}${p.shown}`);
  say(`top ${top} opponents:`);
  for (const p of opponents) say(`  ${p.score.toFixed(3).padStart(7)}  line ${String(p.line).padStart(5)}${p.shown}`);

  let trajectory = null;
  if (record && !args.flags.has('no-trajectory')) {
    // The replay starts from the checkpoint: the model is loaded again (a full-mode run moved it).
    session.setModel(await loadCliModel(ctx, args, io));
    const t = await attributeTrajectory(session, config, record, query, queryEx, { top });
    trajectory = { ...t, contributions: undefined, predicted: undefined, actual: undefined, proponents: t.proponents.map(describeRow), opponents: t.opponents.map(describeRow) };
    say(`trajectory of ${runPath} (${t.steps} steps): query loss ${t.lossBefore.toFixed(4)} -> ${t.lossAfter.toFixed(4)}; predicted first-order change ${t.predictedTotal.toExponential(3)}, actual ${t.actualTotal.toExponential(3)} (ratio ${(t.predictedTotal / t.actualTotal).toFixed(3)}), per-step correlation ${t.correlation.toFixed(3)}`);
    say(`rows that lowered the query's loss most (contribution; train file line):`);
    for (const p of trajectory.proponents) say(`  ${p.score.toExponential(2).padStart(10)}  line ${String(p.line).padStart(5)}${p.shown}`);
  }
  if (json) {
    io.stdout(JSON.stringify({
      kind: 'influence', query, queryLoss: ranking.queryLoss, k, seed: options.seed, blocks: options.blocks, cache: cachePath, cost, seconds,
      proponents, opponents, trajectory,
    }));
  }
  return 0;
}

function queryFromArgs(args: ReturnType<typeof parseArgs>): InfluenceQuery {
  const prompt = optionalString(args, 'prompt');
  if (prompt !== undefined) {
    const answer = optionalString(args, 'answer');
    if (answer === undefined) throw new UsageError('--prompt needs --answer (the label word, or the text the model should produce)');
    return { prompt: prompt.replace(/\\n/g, '\n'), answer };
  }
  if (!args.flags.has('query-row')) throw new UsageError('give the query: --query-split dev --query-row N, or --prompt P --answer A');
  const row = numberFlag(args, 'query-row');
  if (!Number.isInteger(row) || row < 0) throw new UsageError(`--query-row is a 0-based row index; got ${row}`);
  return { split: stringFlag(args, 'query-split', 'dev'), row };
}

function describeCost(c: InfluenceCost): string {
  return `influence: ${c.rows} rows x K = ${c.k}${c.tensors > 1 && c.dims > c.k ? ` x ${c.tensors} tensors` : ''} over ${c.parameters.toLocaleString('en-US')} parameters: `
    + `${c.perturbationPasses} perturbation passes + ${c.forwards} batched forwards (batch ${c.batch}); cache ${formatBytes(c.cacheBytes)}, GPU scratch ${formatBytes(c.scratchBytes)}`;
}
