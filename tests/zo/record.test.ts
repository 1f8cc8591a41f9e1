// Tolerance: exact. The record round-trips bit for bit (f32 values verbatim; f16 values are
// already f16-representable because training applied the rounded g), and replay re-runs the same
// kernels (GPU) or the same f32 loops (CPU) on the same values, so weights must match bitwise.
import { describe, expect, it } from 'vitest';
import { ZoCpuPlan } from '../../src/engine/cpu/zoPlan';
import { ZO_DEFAULTS, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { RECORD_STEP_BYTES, decodeRunRecord, encodeRunRecord, newRecord, recordStep, type ZoRunRecord } from '../../src/engine/zo/record';
import { replayCpu, replayGpu } from '../../src/engine/zo/replay';
import { ZoStepPlan } from '../../src/engine/zo/stepPlan';
import { testGpu } from '../helpers/gpu';
import { cpuLoss, cpuRanges, gpuProblem, initialParams } from './problem';

const base: ZoHyper = { ...ZO_DEFAULTS, seed: 77, eps: 1e-2, lr: 5e-4, weightDecay: 0.1, steps: 10 };
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const cases: [string, Partial<ZoHyper>][] = [
  ['zo-sgd q=1 (f32 values)', {}],
  ['zo-sgd q=3 (f16 values)', { q: 3, schedule: 'cosine' }],
  ['zo-sgd-cons (f32 g + choice)', { optimizer: 'zo-sgd-cons' }],
  ['zo-sgd-momentum', { optimizer: 'zo-sgd-momentum', lr: 2e-4 }],
  ['zo-adam one-sided q=2', { optimizer: 'zo-adam', lr: 1e-2, oneSided: true, q: 2 }],
];

function roundTrip(rec: ZoRunRecord): ZoRunRecord {
  const bytes = encodeRunRecord(rec);
  const headerless = bytes.length - rec.steps.length * RECORD_STEP_BYTES;
  const again = encodeRunRecord({ ...rec, steps: [] });
  expect(headerless).toBe(again.length); // exactly 16 bytes per step on top of the header
  return decodeRunRecord(bytes);
}

describe('run record', () => {
  it('encodes and decodes exactly, and rejects damaged files', () => {
    const h = { ...base, q: 3 };
    const rec = newRecord(h, { model: 'demo', fileHashes: { 'model.safetensors': 'ab12' } });
    rec.steps.push({ step: 0, loss: 1.5, values: Float32Array.of(0.5, -2.25, 1024) }, { step: 9, loss: 0.25, values: Float32Array.of(-0.125, 3, 0) });
    const back = roundTrip(rec);
    expect(back.header).toEqual(rec.header);
    expect(back.steps.map((s) => [s.step, s.loss, Array.from(s.values)])).toEqual(rec.steps.map((s) => [s.step, s.loss, Array.from(s.values)]));
    const bytes = encodeRunRecord(rec);
    expect(() => decodeRunRecord(bytes.subarray(0, bytes.length - 1))).toThrow(/steps/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => decodeRunRecord(bad)).toThrow(/magic/);
  });

  it.each(cases)('%s: GPU replay reproduces the trained weights bit for bit', async (_name, extra) => {
    const ctx = await testGpu();
    const h: ZoHyper = { ...base, ...extra };
    const init = initialParams();
    const prob = gpuProblem(ctx, [init[0].slice(), init[1].slice()]);
    const plan = new ZoStepPlan(ctx, prob.ranges, h);
    prob.attach(plan);
    const rec = newRecord(h);
    for (let t = 0; t < h.steps; t++) {
      plan.setStep(t);
      ctx.submit((pass) => plan.encodeStep(pass, prob.encodeLoss));
      rec.steps.push(recordStep(h, t, await plan.readSummary()));
    }
    const trained = await prob.read();
    prob.upload(init);
    await replayGpu(ctx, prob.ranges, roundTrip(rec));
    const replayed = await prob.read();
    expect(bits(trained[0])).not.toEqual(bits(init[0]));
    expect(bits(replayed[0])).toEqual(bits(trained[0]));
    expect(bits(replayed[1])).toEqual(bits(trained[1]));
    plan.destroy();
    prob.release();
  });

  it.each(cases)('%s: CPU replay reproduces the CPU-trained weights bit for bit', (_name, extra) => {
    const h: ZoHyper = { ...base, ...extra };
    const init = initialParams();
    const arrays = [init[0].slice(), init[1].slice()];
    const plan = new ZoCpuPlan(cpuRanges(arrays), h);
    const rec = newRecord(h);
    for (let t = 0; t < h.steps; t++) rec.steps.push(recordStep(h, t, plan.step(t, cpuLoss)));
    const fresh = [init[0].slice(), init[1].slice()];
    replayCpu(cpuRanges(fresh), roundTrip(rec));
    expect(bits(arrays[0])).not.toEqual(bits(init[0]));
    expect(bits(fresh[0])).toEqual(bits(arrays[0]));
    expect(bits(fresh[1])).toEqual(bits(arrays[1]));
  });

  it('replaying with a wrong gradient does not reproduce the weights', () => {
    const init = initialParams();
    const arrays = [init[0].slice(), init[1].slice()];
    const plan = new ZoCpuPlan(cpuRanges(arrays), base);
    const rec = newRecord(base);
    for (let t = 0; t < 3; t++) rec.steps.push(recordStep(base, t, plan.step(t, cpuLoss)));
    rec.steps[1].values[0] *= 1.001;
    const fresh = [init[0].slice(), init[1].slice()];
    replayCpu(cpuRanges(fresh), rec);
    expect(bits(fresh[0])).not.toEqual(bits(arrays[0]));
  });
});
