// CPU reference of the ZO kernels (MeZO, Malladi et al. 2023, Alg. 1): perturbation, the
// direction d = (1/q) sum_j g_j z_j, projected gradients and the ZO-SGD-Cons choice (ZO-Bench).
// Plain loops over Float32Arrays with f32 rounding after every operation, z from the TS twin of
// the GPU RNG (src/engine/defs/rng.ts). The GPU twins are shaders/zo_{perturb,update,grad}.wgsl.
import { floatToHalf, halfToFloat } from '../defs/halfFloat';
import { gaussian4 } from '../defs/rng';
import type { ZoStepScalars } from '../defs/zoConfig';
import { lossSlotCount, summaryLength } from '../defs/zoScript';

const f = Math.fround;

/** A ParamRange over a CPU array: array[offset, offset + count), z of `stream`. */
export interface CpuParamRange {
  array: Float32Array;
  offset: number;
  count: number;
  stream: number;
  decay: boolean;
  /** Perturbation scale (zo_common.wgsl ZoRange.scale); default 1. */
  scale?: number;
}

/** theta += coef * eps * z_j over one range (zo_perturb.wgsl). */
export function perturbRangeCpu(r: CpuParamRange, s: ZoStepScalars, j: number, coef: number): void {
  const a = f(f(coef * s.eps) * (r.scale ?? 1));
  const z = new Float32Array(4);
  for (let b = 0; b * 4 < r.count; b++) {
    gaussian4(s.seed, s.step, j, r.stream, b, z);
    for (let k = 0; k < 4 && b * 4 + k < r.count; k++) {
      const p = r.offset + b * 4 + k;
      r.array[p] = f(r.array[p] + f(a * z[k]));
    }
  }
}

/** d = (s/q) sum_j g_j z_j over one range (zo_update.wgsl `direction`). */
export function directionCpu(r: CpuParamRange, s: ZoStepScalars, grads: ArrayLike<number>, out = new Float32Array(r.count)): Float32Array {
  const z = new Float32Array(4);
  out.fill(0);
  for (let j = 0; j < grads.length; j++) {
    for (let b = 0; b * 4 < r.count; b++) {
      gaussian4(s.seed, s.step, j, r.stream, b, z);
      for (let k = 0; k < 4 && b * 4 + k < r.count; k++) out[b * 4 + k] = f(out[b * 4 + k] + f(grads[j] * z[k]));
    }
  }
  const scale = r.scale ?? 1;
  for (let i = 0; i < r.count; i++) out[i] = f(f(out[i] * s.invQ) * scale);
  return out;
}

const isFinite32 = (x: number) => Number.isFinite(x);

/**
 * Projected gradients from loss slots (`slots[s]` = loss of slot s) into a summary laid out as
 * in script.ts (zo_grad.wgsl `projected_grad`).
 */
export function projectedGradCpu(q: number, slots: Float32Array, s: ZoStepScalars, oneSided: boolean, roundF16: boolean): Float32Array {
  const out = new Float32Array(summaryLength(q));
  const l0 = slots[2 * q];
  let mean = 0;
  for (let j = 0; j < q; j++) {
    const lp = slots[2 * j];
    let g: number;
    if (oneSided) {
      g = f(f(lp - l0) / s.eps);
    } else {
      const lm = slots[2 * j + 1];
      g = f(f(lp - lm) / f(2 * s.eps));
      mean = f(mean + f(0.5 * f(lp + lm)));
    }
    if (!isFinite32(g)) g = 0;
    if (s.clip > 0) g = Math.min(Math.max(g, -s.clip), s.clip);
    if (roundF16) g = halfToFloat(floatToHalf(Math.min(Math.max(g, -65504), 65504)));
    out[j] = g;
  }
  out[q] = 0;
  out[q + 1] = oneSided ? l0 : f(mean * s.invQ);
  out.set(slots.subarray(0, lossSlotCount(q)), q + 2);
  return out;
}

/** ZO-SGD-Cons choice c (zo_grad.wgsl `cons_select`), written into summary[q] with the losses. */
export function consSelectCpu(q: number, slots: Float32Array, summary: Float32Array): void {
  const l0 = slots[2 * q];
  const fin = (x: number) => (isFinite32(x) ? x : 3.0e38);
  const la = fin(slots[2 * q + 1]);
  const lb = fin(slots[2 * q + 2]);
  summary[q] = la > l0 ? (l0 < lb ? 1 : 0) : la < lb ? 2 : 0;
  summary.set(slots.subarray(0, lossSlotCount(q)), q + 2);
}
