// ZOPrO's mixed direction through the backend's kernel factory (theta += alpha z with
// z = sum_m coef_m n(step_m), and ||z||^2; shaders/zo_mixed.wgsl): the CPU backend's WASM kernels
// (1 and 2 threads) bit for bit against its TypeScript kernels for the move, ||z||^2 to 1e-12
// (f64 sums in another order), and WebGPU within 2e-6 for the move and 1e-5 relative for the norm
// (its Gaussians agree with the TypeScript ones to ~1e-6; f32 partial sums).
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/gpu/backend';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TERMS = [{ step: 3, coef: 0.6 }, { step: 9, coef: -0.8 }];

async function mix(ctx: Backend): Promise<{ theta: Float32Array; norm: number }> {
  const buffer = ctx.storageFrom('theta', randomArray(30_011, 1), 'trainable');
  const ranges = [
    { buffer, offset: 0, count: 20_000, stream: 0, decay: true },
    { buffer, offset: 20_003, count: 10_008, stream: 1, decay: false },
  ];
  const m = ctx.kernels.zoMixed(ranges);
  m.setDirection(5, TERMS, 1e-3);
  ctx.submit((pass) => m.encodeAxpy(pass), 'axpy');
  m.setAlpha(-2e-3);
  ctx.submit((pass) => m.encodeAxpy(pass), 'axpy');
  const norm = await m.squaredNorm();
  const theta = await ctx.readF32(buffer);
  m.destroy();
  ctx.release(buffer);
  return { theta, norm };
}

describe('ZOPrO mixed direction on every backend', () => {
  it('WASM (1 and 2 threads) = TypeScript bit for bit; WebGPU close', async () => {
    const want = await mix(await CpuBackend.create({ kernels: 'typescript' }));
    expect(want.theta[20_001]).toBe(randomArray(30_011, 1)[20_001]); // the gap between the ranges is untouched
    for (const threads of [1, 2]) {
      const cpu = await CpuBackend.create({ threads, spawn: nodePoolThread });
      const got = await mix(cpu);
      expect(new Uint32Array(got.theta.buffer), `${threads} thread(s)`).toEqual(new Uint32Array(want.theta.buffer));
      expect(Math.abs(got.norm - want.norm) / want.norm).toBeLessThan(1e-12);
      cpu.destroy();
    }
    const gpu = await mix(await testGpu());
    expectAllclose(gpu.theta, want.theta, { atol: 2e-6, rtol: 0 }, 'webgpu theta');
    expect(Math.abs(gpu.norm - want.norm) / want.norm).toBeLessThan(1e-5);
  });
});
