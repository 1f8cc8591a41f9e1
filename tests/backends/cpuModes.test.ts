// The tuning modes on the CPU backend (WASM kernels): LoRA and sparse hooks run through the same
// LinearHook API. LoRA with B = 0 reproduces the base model exactly; a sparse run over a q4 base
// on activation scores (calibrated on the CPU backend: cpuCalibration.test.ts checks the norms)
// trains: the frozen base stays bit-identical and the trainable values move.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryReader, tinyLlama } from '../fixtures/tinyModel';
import { buildWeights } from '../../src/engine/model/weights';
import { LlamaForward, type ForwardInput } from '../../src/engine/model/llama';
import { loraTrainable } from '../../src/engine/training/loraMode';
import { sparseTrainable } from '../../src/engine/training/sparseMode';
import { calibrateColumnNorms } from '../../src/engine/training/calibration';
import { ZoTrainer } from '../../src/engine/training/trainer';
import { ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import type { EncodedExample } from '../../src/engine/training/batches';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import type { LinearName } from '../../src/engine/model/weights';

const INPUT: ForwardInput = {
  ids: Uint32Array.from([1, 5, 9, 22, 40, 7, 3, 1, 8, 8, 30, 31, 2, 0]),
  batch: 2, seqLen: 7,
  positions: Uint32Array.from([5, 6, 11, 12]),
  targets: Uint32Array.from([10, 11, 12, 13, 14, 15, 16, 17]), candidates: 2,
};
const LIMITS = { maxBatch: 4, maxSeqLen: 8, maxPositions: 4, maxCandidates: 2 };
const LINEARS: LinearName[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
const SEQUENCES = [[1, 5, 9, 22, 40, 7, 3], [1, 8, 8, 30, 31, 2, 17, 19]];
const examples: EncodedExample[] = Array.from({ length: 8 }, (_, i) => ({
  kind: 'classification', enc: { promptIds: [1, 4 + i, 9, 20 + i], candidates: [[10], [11]], label: i % 2, fallbacks: [] },
}));

describe('tuning modes on the CPU backend', () => {
  let cpu: CpuBackend;
  beforeAll(async () => {
    cpu = await CpuBackend.create();
  });
  afterAll(() => cpu.destroy());

  it('LoRA with B = 0 gives exactly the base model outputs', async () => {
    const m = tinyLlama();
    const w = await buildWeights(cpu, m.config, memoryReader(m), 'q4');
    const base = await new LlamaForward(cpu, m.config, w, LIMITS).logprobs(INPUT);
    const lora = loraTrainable(cpu, w, { rank: 4, alpha: 8, targets: ['q', 'v', 'down'], seed: 3 });
    expect(Array.from(await new LlamaForward(cpu, m.config, w, LIMITS, lora.hooks).logprobs(INPUT))).toEqual(Array.from(base));
  });

  it('a sparse run over q4 on activation scores trains; the frozen base is bit-identical', async () => {
    const m = tinyLlama({ seed: 4 });
    const reader = memoryReader(m);
    const w = await buildWeights(cpu, m.config, reader, 'q4');
    const norms = await calibrateColumnNorms(cpu, m.config, w, SEQUENCES, LINEARS);
    expect(norms.size).toBe(m.config.layers * LINEARS.length);

    const set = await sparseTrainable(cpu, w, reader, { fraction: 0.01, score: 'activation', seed: 1, columnNorms: norms });
    const base = await Promise.all(set.matrices.map((x) => cpu.readU32(w.layers[x.layer][x.target].data)));
    const before = await Promise.all(set.matrices.map((x) => cpu.readF32(x.values, x.indices.length)));
    const forward = new LlamaForward(cpu, m.config, w, LIMITS, set.hooks);
    const trainer = new ZoTrainer({
      ctx: cpu, forward, trainable: set, hyper: { ...ZO_DEFAULTS, lr: 1e-2, eps: 1e-3, steps: 4, seed: 2 },
      objective: 'classification', train: examples, batchSize: 4, padId: 0,
    });
    for (let s = 0; s < 4; s++) await trainer.advance();
    await trainer.drain();
    const after = await Promise.all(set.matrices.map((x) => cpu.readU32(w.layers[x.layer][x.target].data)));
    after.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(base[i])));
    const moved = await Promise.all(set.matrices.map((x) => cpu.readF32(x.values, x.indices.length)));
    expect(moved.some((v, i) => v.some((x, j) => x !== before[i][j])), 'trainable values moved').toBe(true);
    trainer.destroy();
  });
});
