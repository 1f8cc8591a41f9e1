// `npm run report:quant`: what q8 and q4 weights cost in quality on the demo model, against f32:
// top-1 next-token agreement at every position of the golden.json prompts, and perplexity on
// the first ROWS_PER_TASK dev texts of each demo task (mean next-token NLL, exponentiated).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireNodeGpu } from '../src/engine/gpu/nodeProvider';
import { resolveModelNode } from '../src/engine/model/loaders/nodeResolve';
import { loadModel } from '../src/engine/session/loadedModel';
import { LlamaForward } from '../src/engine/model/llama';
import type { WeightPrecision } from '../src/engine/api';

/** Dev rows per task: enough tokens for a stable perplexity, few enough for SwiftShader. */
const ROWS_PER_TASK = Number(process.env.ZO_QUANT_ROWS ?? 100);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelDir = join(root, 'public', 'demo-model');
const golden = JSON.parse(readFileSync(join(modelDir, 'golden.json'), 'utf8')) as { cases: { input_ids: number[] }[] };

function devTexts(): string[] {
  const texts: string[] = [];
  for (const task of ['wn-animal-plant', 'wn-topic4', 'wn-define-pref']) {
    const rows = readFileSync(join(root, 'public', 'demo-data', task, 'dev.jsonl'), 'utf8').trim().split('\n').slice(0, ROWS_PER_TASK).map((l) => JSON.parse(l));
    for (const r of rows) texts.push(typeof r.text === 'string' ? r.text : `${r.prompt}${r.chosen}`);
  }
  return texts;
}

async function main(): Promise<void> {
  const { context: ctx } = await acquireNodeGpu({ log: (s) => process.stderr.write(s + '\n') });
  const resolved = await resolveModelNode(modelDir, { cache: null });
  const texts = devTexts();
  let reference: number[][] | null = null;
  const lines: string[] = [];
  for (const precision of ['f32', 'q8', 'q4'] as WeightPrecision[]) {
    const model = await loadModel(ctx, resolved, precision);
    const ids = texts.map((t) => model.tokenizer.encode(t));
    const maxLen = Math.max(...ids.map((s) => s.length), ...golden.cases.map((c) => c.input_ids.length));
    const B = 32;
    const forward = new LlamaForward(ctx, model.config, model.weights, { maxBatch: B, maxSeqLen: maxLen, maxPositions: B * maxLen, maxCandidates: 1 });
    // Top-1 at every position of every golden prompt.
    const argmaxes: number[][] = [];
    for (const c of golden.cases) {
      const T = c.input_ids.length;
      const logits = await forward.logits({ ids: Uint32Array.from(c.input_ids), batch: 1, seqLen: T, positions: Uint32Array.from({ length: T }, (_, t) => t), targets: new Uint32Array(T), candidates: 1 });
      const V = model.config.vocabSize;
      argmaxes.push(Array.from({ length: T }, (_, t) => {
        let best = 0;
        for (let v = 1; v < V; v++) if (logits[t * V + v] > logits[t * V + best]) best = v;
        return best;
      }));
    }
    reference ??= argmaxes;
    const flat = argmaxes.flat();
    const ref = reference.flat();
    const agree = flat.filter((a, i) => a === ref[i]).length / flat.length;
    // Perplexity over the dev texts, in batches of B right-padded sequences.
    let nll = 0;
    let tokens = 0;
    for (let s = 0; s < ids.length; s += B) {
      const chunk = ids.slice(s, s + B);
      const T = Math.max(...chunk.map((x) => x.length));
      const flatIds = new Uint32Array(chunk.length * T);
      const positions: number[] = [];
      const targets: number[] = [];
      chunk.forEach((seq, b) => {
        flatIds.set(seq, b * T);
        for (let t = 0; t + 1 < seq.length; t++) {
          positions.push(b * T + t);
          targets.push(seq[t + 1]);
        }
      });
      const lp = await forward.logprobs({ ids: flatIds, batch: chunk.length, seqLen: T, positions: Uint32Array.from(positions), targets: Uint32Array.from(targets), candidates: 1 });
      for (const v of lp) nll -= v;
      tokens += lp.length;
    }
    const line = `${precision}: top-1 agreement with f32 ${(100 * agree).toFixed(1)}% (${flat.length} positions), dev perplexity ${Math.exp(nll / tokens).toFixed(3)} over ${tokens} tokens, weights ${(model.weights.format)} ${(ctx.ledger.snapshot().current.weights / 2 ** 20).toFixed(2)} MiB`;
    lines.push(line);
    process.stdout.write(line + '\n');
    forward.destroy();
    for (const t of model.weights.names.values()) ctx.release('data' in t ? t.data : t);
    for (const t of model.weights.names.values()) if ('scales' in t && t.scales) ctx.release(t.scales);
  }
  ctx.destroy();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
