// ZOPrO on the CPU backend. The mixed-direction kernel (kernels.zoMixed) on both CPU kernel sets
// against the CPU reference (cpu/zoMixed.ts): the TypeScript set runs the reference itself and the
// WASM one regenerates the same Philox z (bit-identical, tests/wasm/zo.test.ts), so the tolerance is
// one f32 rounding per term (atol 1e-6, rtol 1e-6). Then a ZOPrO run on a tiny random model
// (sampling with the KV decoder, rule reward, the mixed update) resumed from its record continues
// bit for bit, as on WebGPU (tests/preference/zopro.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllclose, randomArray } from '../helpers/allclose';
import type { MixTerm } from '../../src/engine/defs/zoMix';
import { mixedAxpyCpu, mixedSquaredNormCpu } from '../../src/engine/cpu/zoMixed';
import { expectResumeBitForBit } from '../helpers/tinyZoproRun';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';

describe.each(['wasm', 'typescript'] as const)('ZOPrO on the CPU backend (%s kernels)', (kernels) => {
  let cpu: CpuBackend;
  beforeAll(async () => {
    cpu = await CpuBackend.create({ kernels });
  });
  afterAll(() => cpu.destroy());

  it.each([[1], [255], [4099]])('mixed direction over %i elements: axpy and squared norm match the CPU reference', async (count) => {
    const theta = randomArray(count + 3, count, 1);
    const buffer = cpu.storageFrom('theta', theta, 'scratch');
    const range = { buffer, offset: 3, count, stream: 5, decay: true };
    const terms: MixTerm[] = [{ step: 0, coef: 0.25 }, { step: 7, coef: -0.5 }, { step: 8, coef: 0.8 }];
    const k = cpu.kernels.zoMixed([range]);
    k.setDirection(1234, terms, 0.01);
    cpu.submit((pass) => k.encodeAxpy(pass));
    const want = theta.slice();
    mixedAxpyCpu({ array: want, offset: 3, count, stream: 5, decay: true }, 1234, terms, 0.01);
    expectAllclose(await cpu.readF32(buffer), want, { atol: 1e-6, rtol: 1e-6 }, 'theta');
    const norm = await k.squaredNorm();
    expect(Math.abs(norm - mixedSquaredNormCpu([range], 1234, terms)) / norm).toBeLessThan(1e-6);
    k.destroy();
    cpu.release(buffer);
  });

  it('a run resumed from its record continues bit for bit (weights and record)', async () => {
    await expectResumeBitForBit(cpu);
  });
});
