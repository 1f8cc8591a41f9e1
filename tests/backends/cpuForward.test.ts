// The forward pass on the CPU backend (backends/cpu: the WASM SIMD kernels, and the TypeScript
// reference kernels, behind the same Backend interface and the same LlamaForward) against golden.json from the independent PyTorch reference.
// Tolerances as for WebGPU (tests/model/golden.test.ts, from the issue): last-position logits max
// abs error <= 1e-3, mean next-token loss within 1e-4. Also the KV-cache decoder on the CPU
// backend against golden (the weight formats' readers are tested in cpuKernels.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL } from '../helpers/paths';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import { buildWeights, type ModelWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { scoreSequence } from '../../src/engine/model/sequenceScore';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';
import type { WeightFormat } from '../../src/engine/gpu/tensor';

interface GoldenCase {
  prompt: string;
  input_ids: number[];
  last_logits: number[];
  mean_loss: number;
}

const golden = JSON.parse(readFileSync(join(DEMO_MODEL, 'golden.json'), 'utf8')) as { cases: GoldenCase[] };
const rawConfig = JSON.parse(readFileSync(join(DEMO_MODEL, 'config.json'), 'utf8'));
const config = parseLlamaConfig(rawConfig);

async function loadWeights(backend: CpuBackend, precision: WeightFormat): Promise<ModelWeights> {
  const source = await nodeFolder(DEMO_MODEL).open('model.safetensors');
  const reader = await openSafetensors(rawConfig, [source!]);
  const weights = await buildWeights(backend, config, reader, precision);
  await reader.close?.();
  return weights;
}

describe.each([
  ['wasm', 1],
  ['wasm', 2],
  ['typescript', 1],
] as const)('CPU backend (%s kernels, %i threads): demo model forward pass vs golden.json', (kernels, threads) => {
  let cpu: CpuBackend;
  let weights: ModelWeights;
  let forward: LlamaForward;
  const maxLen = Math.max(...golden.cases.map((c) => c.input_ids.length));

  beforeAll(async () => {
    cpu = await CpuBackend.create({ kernels, threads, spawn: nodePoolThread });
    expect(cpu.adapter.description).toContain(`${threads} thread`);
    weights = await loadWeights(cpu, 'f32');
    forward = new LlamaForward(cpu, config, weights, { maxBatch: 1, maxSeqLen: maxLen, maxPositions: maxLen, maxCandidates: 1 });
  });
  afterAll(() => cpu.destroy());

  it.each(golden.cases.map((c, i) => [i, c.prompt.slice(0, 40).replace(/\n/g, ' '), c] as const))('case %i (%s)', async (_i, _p, c) => {
    const score = await scoreSequence(forward, c.input_ids);
    let worst = 0;
    c.last_logits.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - score.lastLogits[j]))));
    expect(worst, 'max abs logit error').toBeLessThanOrEqual(1e-3);
    expect(Math.abs(score.meanLoss - c.mean_loss), 'mean loss error').toBeLessThanOrEqual(1e-4);
  });

  it('the KV-cache decoder (prefill in two chunks, then one token at a time) gives the whole-sequence logits', async () => {
    const ids = golden.cases[0].input_ids;
    const decoder = new KvDecoder(cpu, config, weights, { maxBatch: 1, maxLen: ids.length, maxChunk: 8 });
    const split = Math.min(8, ids.length - 2);
    await decoder.step(Uint32Array.from(ids.slice(0, split)), 1, split, 0);
    let logits: Float32Array = new Float32Array(0);
    for (let t = split; t < ids.length; t++) logits = await decoder.step(Uint32Array.of(ids[t]), 1, 1, t);
    let worst = 0;
    golden.cases[0].last_logits.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - logits[j]))));
    expect(worst, 'max abs logit error').toBeLessThanOrEqual(1e-3);
    decoder.destroy();
  });
});
