// Per-block perturbation variances (after "ZO Fine-tuner", Learning a Zeroth-Order Optimizer for
// Fine-Tuning LLMs, 2025): instead of MeZO's isotropic z, block b of the trainable weights is
// perturbed by u_b = s_b z_b, one scale per tensor, learned once for a model and tuning mode and
// reused on any task. The paper learns the variances with small networks meta-trained through
// the optimizer's trajectory, which needs backpropagation; here they are learned with forward
// passes only, from what the paper's analysis says they should track (a block-diagonal Hessian):
// for each block, probes along its own seeded z give
//   g = (L(θ + εz_b) − L(θ − εz_b)) / 2ε      whose square estimates |∇_b L|²  (gradient energy)
//   c = (L(θ + εz_b) + L(θ − εz_b) − 2L(θ)) / ε²   which estimates tr(H_b)     (curvature)
// and a block whose gradient energy is large for its curvature is worth perturbing more. The
// rule (blockScaleRule) takes s_b² ∝ sqrt(energy / curvature), a middle way between MeZO (all
// equal) and the one-step optimum (all variance on the best block), bounded to a 10x range and
// normalised as in the paper (|Σ|_F² = d, Σ = diag(s²)) so the learning rate keeps its meaning.
import type { BlockScaleProfile, TrainConfig } from '../api';
import type { Backend } from '../gpu/backend';
import type { TrainableRange } from './trainable';
import type { DeviceBuffer, ComputePass } from '../gpu/device';

/** Largest / smallest scale the rule allows (s, not s²). */
export const MAX_SCALE_RATIO = Math.sqrt(10);

export interface BlockProbeStats {
  name: string;
  count: number;
  /** Mean of g² over the probes: |∇_b L|². */
  gradEnergy: number;
  /** Mean of c over the probes: tr(H_b) (can come out <= 0 from noise or negative curvature). */
  curvature: number;
}

/** Scales from probe statistics (see the file comment); deterministic, pure. */
export function blockScaleRule(stats: readonly BlockProbeStats[]): number[] {
  const positive = stats.map((s) => s.curvature).filter((c) => c > 0).sort((a, b) => a - b);
  // Curvature at or below zero is noise at this eps, not a free direction: floor it at a tenth
  // of the median positive curvature so such a block is not given unbounded variance.
  const floor = positive.length ? 0.1 * positive[Math.floor(positive.length / 2)] : 1;
  const raw = stats.map((s) => Math.pow(Math.max(s.gradEnergy, 0) / Math.max(s.curvature, floor), 0.25)); // s = (G/T)^(1/4), s² = sqrt(G/T)
  const ordered = raw.filter((v) => v > 0).sort((a, b) => a - b);
  const mid = ordered.length ? ordered[Math.floor(ordered.length / 2)] : 1;
  const lo = mid / Math.sqrt(MAX_SCALE_RATIO);
  const hi = mid * Math.sqrt(MAX_SCALE_RATIO);
  const bounded = raw.map((v) => Math.min(hi, Math.max(lo, v)));
  // |Σ|_F² = sum_b n_b s_b⁴ = d.
  const d = stats.reduce((a, s) => a + s.count, 0);
  const frob = stats.reduce((a, s, i) => a + s.count * bounded[i] ** 4, 0);
  const k = Math.pow(d / frob, 0.25);
  return bounded.map((v) => v * k);
}

/** Sets each range's perturbation scale from `scales` (by range name); refuses a profile made for other tensors. */
export function applyBlockScales(ranges: TrainableRange[], scales: Record<string, number> | undefined): void {
  if (!scales) return;
  const names = new Set(ranges.map((r) => r.name));
  const foreign = Object.keys(scales).filter((n) => !names.has(n));
  const missing = ranges.filter((r) => !(r.name in scales)).map((r) => r.name);
  if (foreign.length || missing.length) {
    const example = (foreign[0] ?? missing[0])!;
    throw new Error(
      `These block variances were learned for other tensors (${foreign.length} unknown here, ${missing.length} of this run's missing, e.g. ${example}). ` +
        'Learn them again for this model and tuning mode, or train without them.',
    );
  }
  for (const r of ranges) {
    const s = scales[r.name];
    if (!(Number.isFinite(s) && s > 0)) throw new Error(`block variance scale for ${r.name} is ${s}; scales must be positive numbers`);
    r.scale = s;
  }
}

export interface LearnBlockScalesOptions {
  /** Probes per block (each two forward passes). */
  probes: number;
  /** Probe step; larger than a training eps so a block's second difference rises above f32 noise. */
  eps: number;
  onProgress?(done: number, total: number): void;
}

export const LEARN_BLOCK_SCALES_DEFAULTS = { probes: 4, eps: 1e-2 };

/**
 * Probes every range of `ranges` on one prepared batch (`encodeLoss` writes its loss to
 * `lossBuffer`) and returns the learned profile. The weights are copied aside per block and
 * copied back exactly.
 */
export async function probeBlocks(
  ctx: Backend, ranges: readonly TrainableRange[], seed: number, encodeLoss: (pass: ComputePass) => void, lossBuffer: DeviceBuffer,
  options: LearnBlockScalesOptions,
): Promise<BlockProbeStats[]> {
  const { probes, eps } = options;
  const loss = async (before?: (pass: ComputePass) => void) => {
    ctx.submit((pass) => {
      before?.(pass);
      encodeLoss(pass);
    }, 'block-probe');
    return (await ctx.readF32(lossBuffer, 1))[0];
  };
  const l0 = await loss();
  if (!Number.isFinite(l0)) throw new Error(`the loss at the start weights is ${l0}; cannot learn block variances`);
  const largest = Math.max(...ranges.map((r) => r.count));
  const snapshot = ctx.createStorage('block-probe-snapshot', largest * 4, 'scratch');
  const stats: BlockProbeStats[] = [];
  try {
    for (const [i, r] of ranges.entries()) {
      ctx.copyBuffer(r.buffer, r.offset * 4, snapshot, 0, r.count * 4);
      const probe = ctx.kernels.zoProbe(r, snapshot);
      let energy = 0;
      let curvature = 0;
      for (let p = 0; p < probes; p++) {
        probe.set(seed, p, 0, eps);
        const plus = await loss((pass) => probe.encode(pass));
        probe.set(seed, p, 0, -eps);
        const minus = await loss((pass) => probe.encode(pass));
        const g = (plus - minus) / (2 * eps);
        energy += g * g;
        curvature += (plus + minus - 2 * l0) / (eps * eps);
      }
      probe.destroy();
      ctx.copyBuffer(snapshot, 0, r.buffer, r.offset * 4, r.count * 4);
      stats.push({ name: r.name, count: r.count, gradEnergy: energy / probes, curvature: curvature / probes });
      options.onProgress?.(i + 1, ranges.length);
    }
  } finally {
    await ctx.finish();
    ctx.release(snapshot);
  }
  return stats;
}

/** The profile the app saves and the CLI writes: each block's probe statistics and scale, and how they were made. */
export function profileFrom(stats: readonly BlockProbeStats[], meta: { model: string; mode: TrainConfig['mode']; task: string; rows: number; probes: number; eps: number }): BlockScaleProfile {
  const scales = blockScaleRule(stats);
  return { ...meta, blocks: stats.map((s, i) => ({ ...s, scale: scales[i] })) };
}

/** A profile's scales by tensor name, as TrainConfig.blockScales takes them. */
export function blockScalesOf(profile: Pick<BlockScaleProfile, 'blocks'>): Record<string, number> {
  return Object.fromEntries(profile.blocks.map((b) => [b.name, b.scale]));
}
