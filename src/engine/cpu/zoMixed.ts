// CPU twin of shaders/zo_mixed.wgsl: a ZOPrO direction z = sum_m coef_m n(step_m), each n the
// seed-regenerated Gaussian stream of rng.ts (j = 0), applied as theta += alpha z, and ||z||^2.
import { gaussian4 } from '../defs/rng';
import type { CpuParamRange } from './zo';
import type { MixTerm } from '../defs/zoMix';

const f = Math.fround;

/** z over one range (f32 accumulation in term order, as the shader). */
export function mixedDirectionCpu(r: Pick<CpuParamRange, 'count' | 'stream'>, seed: number, terms: readonly MixTerm[]): Float32Array {
  const z = new Float32Array(r.count);
  const four = new Float32Array(4);
  for (let b = 0; b * 4 < r.count; b++) {
    for (const t of terms) {
      gaussian4(seed, t.step, 0, r.stream, b, four);
      const c = f(t.coef);
      for (let k = 0; k < 4 && b * 4 + k < r.count; k++) z[b * 4 + k] = f(z[b * 4 + k] + f(c * four[k]));
    }
  }
  return z;
}

/** theta += alpha z over one range. */
export function mixedAxpyCpu(r: CpuParamRange, seed: number, terms: readonly MixTerm[], alpha: number): void {
  const z = mixedDirectionCpu(r, seed, terms);
  const a = f(alpha);
  for (let i = 0; i < r.count; i++) r.array[r.offset + i] = f(r.array[r.offset + i] + f(a * z[i]));
}

/** ||z||^2 over ranges (f64 sum). */
export function mixedSquaredNormCpu(ranges: readonly Pick<CpuParamRange, 'count' | 'stream'>[], seed: number, terms: readonly MixTerm[]): number {
  let s = 0;
  for (const r of ranges) for (const v of mixedDirectionCpu(r, seed, terms)) s += v * v;
  return s;
}
