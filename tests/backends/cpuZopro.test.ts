// ZOPrO on the CPU backend, on both kernel sets: a run on a tiny random model (sampling with the KV
// decoder, rule reward, the mixed update of kernels.zoMixed, whose kernel tests are zoMixed.test.ts)
// resumed from its record continues bit for bit, as on WebGPU (tests/preference/zopro.test.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectResumeBitForBit } from '../helpers/tinyZoproRun';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';

describe.each(['wasm', 'typescript'] as const)('ZOPrO on the CPU backend (%s kernels)', (kernels) => {
  let cpu: CpuBackend;
  beforeAll(async () => {
    cpu = await CpuBackend.create({ kernels });
  });
  afterAll(() => cpu.destroy());

  it('a run resumed from its record continues bit for bit (weights and record)', async () => {
    await expectResumeBitForBit(cpu);
  });
});
