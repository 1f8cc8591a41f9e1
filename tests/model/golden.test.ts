// The whole forward pass on the demo model against golden.json, which an independent PyTorch
// implementation wrote. Tolerances (from the issue): last-position logits max abs error
// <= 1e-3, mean next-token loss within 1e-4. Also: a right-padded batch of different lengths
// gives each example exactly what it gets alone (to 1e-4: only reduction order differs).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { DEMO_MODEL } from '../helpers/paths';
import { BF16_FILE, writeDemoModelWithBf16 } from '../fixtures/demoBf16';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import { buildWeights, type ModelWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { scoreSequence } from '../../src/engine/model/sequenceScore';
import type { GpuContext } from '../../src/engine/gpu/context';

interface GoldenCase {
  prompt: string;
  input_ids: number[];
  last_logits: number[];
  mean_loss: number;
  mean_loss_bf16_weights: number;
}

const MODEL_DIR = DEMO_MODEL;
const golden = JSON.parse(readFileSync(join(MODEL_DIR, 'golden.json'), 'utf8')) as { cases: GoldenCase[] };
const rawConfig = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8'));
const config = parseLlamaConfig(rawConfig);

async function loadWeights(ctx: GpuContext, file: string, dir = MODEL_DIR): Promise<ModelWeights> {
  const source = await nodeFolder(dir).open(file);
  const reader = await openSafetensors(rawConfig, [source!]);
  const weights = await buildWeights(ctx, config, reader, 'f32');
  await reader.close?.();
  return weights;
}

describe('demo model forward pass vs golden.json', () => {
  let ctx: GpuContext;
  let forward: LlamaForward;
  const maxLen = Math.max(...golden.cases.map((c) => c.input_ids.length));

  beforeAll(async () => {
    ctx = await testGpu();
    const weights = await loadWeights(ctx, 'model.safetensors');
    forward = new LlamaForward(ctx, config, weights, { maxBatch: golden.cases.length, maxSeqLen: maxLen, maxPositions: golden.cases.length * maxLen, maxCandidates: 1 });
  });

  it.each(golden.cases.map((c, i) => [i, c.prompt.slice(0, 40).replace(/\n/g, ' '), c] as const))('case %i (%s)', async (_i, _p, c) => {
    const score = await scoreSequence(forward, c.input_ids);
    let worst = 0;
    c.last_logits.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - score.lastLogits[j]))));
    expect(worst, 'max abs logit error').toBeLessThanOrEqual(1e-3);
    expect(Math.abs(score.meanLoss - c.mean_loss), 'mean loss error').toBeLessThanOrEqual(1e-4);
  });

  it('a right-padded batch of different lengths equals each sequence alone', async () => {
    const cases = golden.cases;
    const B = cases.length;
    const ids = new Uint32Array(B * maxLen);
    const positions: number[] = [];
    const targets: number[] = [];
    cases.forEach((c, b) => {
      ids.set(c.input_ids, b * maxLen);
      for (let t = 0; t + 1 < c.input_ids.length; t++) {
        positions.push(b * maxLen + t);
        targets.push(c.input_ids[t + 1]);
      }
    });
    const batched = await forward.logprobs({ ids, batch: B, seqLen: maxLen, positions: Uint32Array.from(positions), targets: Uint32Array.from(targets), candidates: 1 });
    let k = 0;
    for (const c of cases) {
      const alone = await scoreSequence(forward, c.input_ids);
      for (let t = 0; t + 1 < c.input_ids.length; t++, k++) {
        expect(Math.abs(-batched[k] - alone.tokenLosses[t])).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('bf16 weights reproduce golden mean_loss_bf16_weights', async () => {
    const dir = writeDemoModelWithBf16(mkdtempSync(join(tmpdir(), 'zo-golden-bf16-')));
    const weights = await loadWeights(ctx, BF16_FILE, dir).finally(() => rmSync(dir, { recursive: true, force: true }));
    const bf = new LlamaForward(ctx, config, weights, { maxBatch: 1, maxSeqLen: maxLen, maxPositions: maxLen, maxCandidates: 1 });
    for (const c of golden.cases) {
      const score = await scoreSequence(bf, c.input_ids);
      expect(Math.abs(score.meanLoss - c.mean_loss_bf16_weights)).toBeLessThanOrEqual(1e-4);
    }
  });
});
