// ZOPrO's mixed perturbation (shaders/zo_mixed.wgsl, built on rng.wgsl + zo_common.wgsl): the
// direction z = sum_m coef_m n(step_m) of seed-regenerated Gaussian streams, applied as
// theta += alpha z over every trainable range, and the squared norm of z (per-workgroup partial
// sums, added on the CPU). One ZoMixedKernel covers all ranges; its uniform (seed, term count,
// alpha) and term table are written before each submit, so one submit holds one move.
import rngCode from '../../../../shaders/rng.wgsl?raw';
import commonCode from '../../../../shaders/zo_common.wgsl?raw';
import mixedCode from '../../../../shaders/zo_mixed.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid } from '../kernel';
import { rangeUniform, type ParamRange } from './zo';
import { MAX_MIX_TERMS, type MixTerm } from '../../defs/zoMix';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 64;
const CODE = `${rngCode}\n${commonCode}\n${mixedCode}`;

export class ZoMixedKernel {
  private readonly params: ParamBlock<'seed' | 'terms' | 'alpha'>;
  private readonly terms: DeviceBuffer;
  private readonly partials: DeviceBuffer[];
  private readonly axpyKernels: BoundKernel[];
  private readonly normKernels: BoundKernel[];
  private readonly rangeParams: DeviceBuffer[];
  private readonly blocks: number[];

  constructor(private readonly ctx: WebGpu, readonly ranges: readonly ParamRange[]) {
    this.params = new ParamBlock(ctx, 'zo-mix', [
      { name: 'seed', type: 'u32' },
      { name: 'terms', type: 'u32' },
      { name: 'alpha', type: 'f32' },
    ]);
    this.terms = ctx.createStorage('zo-mix-terms', MAX_MIX_TERMS * 8, 'scratch');
    this.rangeParams = ranges.map((r) => rangeUniform(ctx, r));
    this.blocks = ranges.map((r) => Math.ceil(r.count / 4));
    this.partials = ranges.map((r, i) => ctx.createStorage(`zo-mix-partials-${r.stream}`, Math.max(1, Math.ceil(this.blocks[i] / WG)) * 4, 'scratch'));
    const build = (entryPoint: 'axpy' | 'sumsq') =>
      ranges.map((r, i) => new BoundKernel(ctx, {
        name: 'zo_mixed',
        code: CODE,
        entryPoint,
        constants: { WG },
        bindings: entryPoint === 'axpy'
          ? [r.buffer, this.rangeParams[i], this.params.buffer, this.terms]
          : [this.partials[i], this.rangeParams[i], this.params.buffer, this.terms],
        grid: linearGrid(this.blocks[i], WG),
        label: `zo-mix-${entryPoint}-${r.stream}`,
      }));
    this.axpyKernels = build('axpy');
    this.normKernels = build('sumsq');
  }

  /** The direction the next submit uses (a queue write: lands before it). */
  setDirection(seed: number, terms: readonly MixTerm[], alpha = 0): void {
    if (terms.length > MAX_MIX_TERMS) throw new Error(`a mixed direction holds at most ${MAX_MIX_TERMS} terms`);
    const data = new ArrayBuffer(Math.max(1, terms.length) * 8);
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    terms.forEach((t, m) => {
      u[2 * m] = t.step >>> 0;
      f[2 * m + 1] = t.coef;
    });
    this.ctx.upload(this.terms, new Uint8Array(data));
    this.params.set({ seed: seed >>> 0, terms: terms.length, alpha });
  }

  setAlpha(alpha: number): void {
    this.params.set({ alpha });
  }

  /** theta += alpha z over every range. */
  encodeAxpy(pass: ComputePass): void {
    for (const k of this.axpyKernels) k.encode(pass);
  }

  /** ||z||^2 over every range, for the direction set last (its own submit and read-back). */
  async squaredNorm(): Promise<number> {
    this.ctx.submit((pass) => {
      for (const k of this.normKernels) k.encode(pass);
    }, 'zo-mix-norm');
    let total = 0;
    for (const p of this.partials) for (const v of await this.ctx.readF32(p)) total += v;
    return total;
  }

  destroy(): void {
    for (const b of [this.terms, this.params.buffer, ...this.partials, ...this.rangeParams]) this.ctx.release(b);
  }
}
