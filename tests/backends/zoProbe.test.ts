// The ZO probe through the backend's kernel factory (theta = snapshot + coef z, shaders/zo_probe.wgsl):
// the CPU backend's WASM kernel (1 and 2 threads) bit for bit against its TypeScript kernel
// (z is the same Philox stream and the same f32 operations), and WebGPU within 2e-6 (GPU
// Gaussians agree with the TypeScript ones to ~1e-6: see src/engine/defs/rng.ts).
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/gpu/backend';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const COUNT = 20_003;

async function probe(ctx: Backend): Promise<Float32Array> {
  const theta = ctx.storageFrom('theta', randomArray(COUNT + 5, 1), 'trainable');
  const snapshot = ctx.storageFrom('snapshot', randomArray(COUNT, 2), 'scratch');
  const p = ctx.kernels.zoProbe({ buffer: theta, offset: 5, count: COUNT, stream: 3 }, snapshot);
  p.set(7, 11, 1, -0.625);
  ctx.submit((pass) => p.encode(pass), 'probe');
  const out = await ctx.readF32(theta);
  p.destroy();
  ctx.release(theta);
  ctx.release(snapshot);
  return out;
}

describe('ZO probe on every backend', () => {
  it('WASM (1 and 2 threads) = TypeScript bit for bit; WebGPU within 2e-6', async () => {
    const want = await probe(await CpuBackend.create({ kernels: 'typescript' }));
    expect(Array.from(want.subarray(0, 5))).toEqual(Array.from(randomArray(COUNT + 5, 1).subarray(0, 5)));
    for (const threads of [1, 2]) {
      const cpu = await CpuBackend.create({ threads, spawn: nodePoolThread });
      expect(new Uint32Array((await probe(cpu)).buffer), `${threads} thread(s)`).toEqual(new Uint32Array(want.buffer));
      cpu.destroy();
    }
    expectAllclose(await probe(await testGpu()), want, { atol: 2e-6, rtol: 0 }, 'webgpu');
  });
});
