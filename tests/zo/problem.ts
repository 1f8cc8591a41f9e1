// A small ZO test problem: two parameter buffers holding three ranges (odd offsets, sizes on
// both sides of the 256-element workgroup, one range without weight decay), the quartic loss of
// tests/zo/quartic_loss.wgsl on the GPU (one kernel instance per loss slot) and its CPU twin.
import lossCode from './quartic_loss.wgsl?raw';
import type { GpuContext } from '../../src/engine/gpu/context';
import { BoundKernel } from '../../src/engine/gpu/kernel';
import type { CpuParamRange } from '../../src/engine/cpu/zo';
import type { ParamRange, ZoStepPlan } from '../../src/engine/zo/stepPlan';
import { randomArray } from '../helpers/allclose';
import type { ComputePass } from '../../src/engine/gpu/device';

export const N0 = 350;
export const N1 = 130;
export const RANGES = [
  { buf: 0, offset: 3, count: 301, stream: 0, decay: true },
  { buf: 0, offset: 305, count: 37, stream: 5, decay: false },
  { buf: 1, offset: 0, count: 130, stream: 2, decay: true },
] as const;

export function initialParams(): [Float32Array, Float32Array] {
  return [randomArray(N0, 11), randomArray(N1, 12)];
}
const targets = (): [Float32Array, Float32Array] => [randomArray(N0, 21, 0.5), randomArray(N1, 22, 0.5)];

/**
 * The loss with the GPU kernel's f32 operations in the same order (256 strided partial sums,
 * then a tree), so the CPU and GPU runs differ only by the ZO machinery under test, not by
 * summation order, which (L+ - L-) / 2 eps would amplify ~100-fold.
 */
export function cpuLoss(params: Float32Array[]): number {
  const f = Math.fround;
  const t = targets();
  const term = (x: number, tt: number, i: number) => {
    const d = f(x - tt);
    const a = f(0.5 + f(0.25 * (i % 5)));
    const d2 = f(d * d);
    return f(f(f(a * d) * d) + f(f(0.25 * d2) * d2));
  };
  const partial = new Float32Array(256);
  for (let lid = 0; lid < 256; lid++) {
    let acc = 0;
    for (let i = lid; i < N0; i += 256) acc = f(acc + term(params[0][i], t[0][i], i));
    for (let i = lid; i < N1; i += 256) acc = f(acc + term(params[1][i], t[1][i], N0 + i));
    partial[lid] = acc;
  }
  for (let s = 128; s > 0; s >>= 1) for (let lid = 0; lid < s; lid++) partial[lid] = f(partial[lid] + partial[lid + s]);
  return partial[0];
}

/** `scales`: per-range perturbation scales (ZO Fine-tuner's per-block variances), default all 1. */
export function cpuRanges(arrays: Float32Array[], scales?: readonly number[]): CpuParamRange[] {
  return RANGES.map((r, i) => ({ array: arrays[r.buf], offset: r.offset, count: r.count, stream: r.stream, decay: r.decay, scale: scales?.[i] }));
}

export interface GpuProblem {
  buffers: [GPUBuffer, GPUBuffer];
  ranges: ParamRange[];
  /** Encode forward + loss into `slot` (pass to plan.encodeStep). */
  encodeLoss: (pass: ComputePass, offset: number, slot: number) => void;
  attach(plan: ZoStepPlan): void;
  read(): Promise<[Float32Array, Float32Array]>;
  upload(p: [Float32Array, Float32Array]): void;
  release(): void;
}

export function gpuProblem(ctx: GpuContext, init = initialParams(), scales?: readonly number[]): GpuProblem {
  const buffers: [GPUBuffer, GPUBuffer] = [ctx.storageFrom('zo-x0', init[0], 'trainable'), ctx.storageFrom('zo-x1', init[1], 'trainable')];
  const t = targets();
  const tb = [ctx.storageFrom('zo-t0', t[0], 'scratch'), ctx.storageFrom('zo-t1', t[1], 'scratch')];
  let kernels = new Map<number, BoundKernel>();
  return {
    buffers,
    ranges: RANGES.map((r, i) => ({ buffer: buffers[r.buf], offset: r.offset, count: r.count, stream: r.stream, decay: r.decay, scale: scales?.[i] })),
    encodeLoss: (pass, _offset, slot) => kernels.get(slot)!.encode(pass),
    attach(plan) {
      kernels = new Map(
        plan.lossSlots.map((slot) => [
          slot,
          new BoundKernel(ctx, {
            name: 'zo_test_loss',
            code: lossCode,
            entryPoint: 'loss',
            constants: { N0, N1, SLOT: slot },
            bindings: [buffers[0], buffers[1], tb[0], tb[1], plan.losses],
            grid: [1, 1, 1],
          }),
        ]),
      );
    },
    read: async () => [await ctx.readF32(buffers[0]), await ctx.readF32(buffers[1])],
    upload(p) {
      ctx.upload(buffers[0], p[0]);
      ctx.upload(buffers[1], p[1]);
    },
    release() {
      for (const b of [...buffers, ...tb]) ctx.release(b);
    },
  };
}
