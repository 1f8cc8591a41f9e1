// MeZO on the CPU backend: the ZoTrainer, ZoStepPlan and LlamaForward the WebGPU backend runs,
// with the CPU kernels behind them (the WASM SIMD kernels, and the TypeScript reference kernels).
// 1. A 20-step run equals the CPU reference run (ZoCpuPlan + llamaLogprobsRef). Both are CPU
//    code; the forward passes differ only in where f32 rounding happens (the reference keeps
//    some sums in float64), so projected gradients agree to 1e-3 relative and weights to 1e-5 of
//    each tensor's scale, as for WebGPU (tests/zo/mezoModel.test.ts).
// 2. Replay on the backend that trained reproduces the weights bit for bit (same kernels, same
//    values, same order).
// 3. A run recorded on one backend replays on the other: z is the same Philox stream on both, only
//    the float order of the Gaussian transform and the updates may differ, so the weights agree to
//    1e-6 of each tensor's scale (atol) after 20 steps. (Measured on SwiftShader: all 22,688 values
//    bit-identical both ways; a GPU that fuses multiply-adds may differ in the last bits.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { memoryReader, tinyLlama } from '../fixtures/tinyModel';
import { buildWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { fullTrainable } from '../../src/engine/training/fullMode';
import { ZoTrainer } from '../../src/engine/training/trainer';
import { buildScoredBatch, type EncodedExample } from '../../src/engine/training/batches';
import { ZO_DEFAULTS, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { ZoCpuPlan } from '../../src/engine/cpu/zoPlan';
import { llamaLogprobsRef } from '../../src/engine/model/llamaCpu';
import { lossRef } from '../../src/engine/cpu/loss';
import { BatchSampler } from '../../src/engine/data/sampler';
import { decodeRunRecord, encodeRunRecord, type ZoRunRecord } from '../../src/engine/zo/record';
import { replayGpu } from '../../src/engine/zo/replay';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import type { Backend } from '../../src/engine/gpu/backend';

const model = tinyLlama({ vocab: 64, hidden: 32, heads: 2, kvHeads: 1, intermediate: 64, layers: 2 });
const batchSize = 4;
const limits = { maxBatch: batchSize, maxSeqLen: 10, maxPositions: batchSize, maxCandidates: 3 };
const hyper: ZoHyper = { ...ZO_DEFAULTS, seed: 7, lr: 1e-3, eps: 1e-3, steps: 20, weightDecay: 0 };
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function syntheticExamples(n: number, vocab: number): EncodedExample[] {
  const r = randomArray(n * 12, 5);
  let k = 0;
  const u = () => (r[k++] + 1) / 2;
  return Array.from({ length: n }, () => {
    const len = 3 + Math.floor(u() * 6);
    const promptIds = [1, ...Array.from({ length: len }, () => 3 + Math.floor(u() * (vocab - 3)))];
    return { kind: 'classification' as const, enc: { promptIds, candidates: [[10], [11], [12]], label: Math.floor(u() * 3), fallbacks: [] } };
  });
}
const examples = syntheticExamples(12, 64);

/** The model's trainable tensors on `ctx`, as the run started (fresh from the checkpoint). */
async function freshTrainable(ctx: Backend) {
  return fullTrainable(await buildWeights(ctx, model.config, memoryReader(model), 'f32'));
}

async function readAll(ctx: Backend, trainable: Awaited<ReturnType<typeof freshTrainable>>): Promise<Map<string, Float32Array>> {
  return new Map(await Promise.all(trainable.ranges.map(async (r) => [r.name, await ctx.readF32(r.buffer, r.count)] as const)));
}

/** 20 steps of MeZO on `ctx`; the trained weights, the record and each step's projected gradient. */
async function train(ctx: Backend) {
  const weights = await buildWeights(ctx, model.config, memoryReader(model), 'f32');
  const forward = new LlamaForward(ctx, model.config, weights, limits);
  const trainable = fullTrainable(weights);
  const trainer = new ZoTrainer({ ctx, forward, trainable, hyper, objective: 'classification', train: examples, batchSize, padId: 0 });
  const grads: number[] = [];
  for (let s = 0; s < hyper.steps; s++) {
    const m = await trainer.advance();
    if (m) grads.push(m.projectedGrad);
  }
  grads.push((await trainer.drain())!.projectedGrad);
  const record = decodeRunRecord(encodeRunRecord(trainer.record));
  const trained = await readAll(ctx, trainable);
  trainer.destroy();
  return { grads, record, trained };
}

async function replayOn(ctx: Backend, record: ZoRunRecord): Promise<Map<string, Float32Array>> {
  const trainable = await freshTrainable(ctx);
  await replayGpu(ctx, trainable.ranges, record);
  return readAll(ctx, trainable);
}

function expectClose(got: Map<string, Float32Array>, want: Map<string, Float32Array>, relative: number): void {
  for (const [name, w] of want) {
    const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expectAllclose(got.get(name)!, w, { atol: relative * scale, rtol: 0 }, name);
  }
}

describe.each(['wasm', 'typescript'] as const)('MeZO on the CPU backend (%s kernels)', (kernels) => {
  let cpu: CpuBackend;
  let cpuRun: Awaited<ReturnType<typeof train>>;
  beforeAll(async () => {
    cpu = await CpuBackend.create({ kernels });
  });
  afterAll(() => cpu.destroy());

  it('20 steps, full-parameter ZO-SGD, batch 4: equals the CPU reference run', async () => {
    cpuRun = await train(cpu);
    const refWeights = new Map([...model.weights].map(([k, v]) => [k, v.slice()]));
    const trainable = await freshTrainable(cpu);
    const ranges = trainable.ranges.map((r) => ({ array: refWeights.get(r.name)!, offset: 0, count: r.count, stream: r.stream, decay: r.decay }));
    const plan = new ZoCpuPlan(ranges, hyper);
    const sampler = new BatchSampler(examples.length, batchSize, hyper.seed);
    const refGrads: number[] = [];
    for (let s = 0; s < hyper.steps; s++) {
      const batch = buildScoredBatch(sampler.next().map((i) => examples[i]), 'classification', 0, limits.maxCandidates);
      refGrads.push(plan.step(s, () => lossRef(llamaLogprobsRef(model.config, refWeights, batch.input, limits.maxCandidates), batch.scored).batchLoss).grads[0]);
    }
    expectAllclose(cpuRun.grads, refGrads, { atol: 1e-4, rtol: 1e-3 }, 'projected gradients');
    expect(cpuRun.grads.some((g) => Math.abs(g) > 1e-3), 'the run actually moved').toBe(true);
    const trainedNames = [...cpuRun.trained.keys()];
    expectClose(cpuRun.trained, new Map(trainedNames.map((n) => [n, refWeights.get(n)!])), 1e-5);
  });

  it('replays bit for bit on the CPU backend', async () => {
    const replayed = await replayOn(cpu, cpuRun.record);
    for (const [name, w] of cpuRun.trained) expect(bits(replayed.get(name)!), name).toEqual(bits(w));
  });

  it.runIf(kernels === 'wasm')('a CPU-recorded run replays on WebGPU, and a WebGPU-recorded run on the CPU backend, to 1e-6 of each tensor', async () => {
    const gpu = await testGpu();
    expectClose(await replayOn(gpu, cpuRun.record), cpuRun.trained, 1e-6);
    const gpuRun = await train(gpu);
    expectClose(await replayOn(cpu, gpuRun.record), gpuRun.trained, 1e-6);
  });
});
