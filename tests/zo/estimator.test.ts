// Tolerance: cosine similarity >= 0.9 between the mean of g z over 2000 seeds and the central
// finite-difference gradient (f64, h = 1e-4) of a 16-element CPU loss. The SPSA/MeZO estimate is
// unbiased up to O(eps^2) (O(eps) one-sided) with per-coordinate variance ~ |grad|^2, so after N
// seeds its relative error is ~ sqrt((n + 1) / N) = 0.09 and the cosine ~ 0.995; 0.9 leaves room.
// The GPU computes the same g bit for bit on SwiftShader (step.test.ts), so this covers it too.
import { describe, expect, it } from 'vitest';
import { ZoCpuPlan } from '../../src/engine/cpu/zoPlan';
import { ZO_DEFAULTS, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { gaussianRange } from '../../src/engine/defs/rng';
import { randomArray } from '../helpers/allclose';

const N = 16;
const SEEDS = 2000;
const target = randomArray(N, 5, 0.5);

/** A non-quadratic loss with coupling between coordinates. */
function loss64(x: ArrayLike<number>): number {
  let l = 0;
  for (let i = 0; i < N; i++) {
    const d = x[i] - target[i];
    l += (1 + (i % 3)) * d * d + 0.5 * Math.log(1 + Math.exp(2 * x[i])) + 0.3 * d * (x[(i + 1) % N] - target[(i + 1) % N]);
  }
  return l;
}

function fdGradient(x: Float32Array): Float64Array {
  const g = new Float64Array(N);
  const xp = Float64Array.from(x);
  for (let i = 0; i < N; i++) {
    const h = 1e-4;
    xp[i] = x[i] + h;
    const up = loss64(xp);
    xp[i] = x[i] - h;
    const down = loss64(xp);
    xp[i] = x[i];
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

function estimate(h: ZoHyper, seeds: number): { est: Float64Array; fd: Float64Array } {
  const x = randomArray(N, 3);
  const fd = fdGradient(x);
  // lr = 0: the weights stay at x (up to perturb/restore rounding), each step draws a new z.
  const plan = new ZoCpuPlan([{ array: x, offset: 0, count: N, stream: 4, decay: false }], { ...h, lr: 0 });
  const est = new Float64Array(N);
  for (let t = 0; t < seeds; t++) {
    const s = plan.step(t, (p) => loss64(p[0]));
    for (let j = 0; j < h.q; j++) {
      const z = gaussianRange(h.seed, t, j, 4, N);
      for (let i = 0; i < N; i++) est[i] += (s.grads[j] * z[i]) / (seeds * h.q);
    }
  }
  return { est, fd };
}

describe('ZO gradient estimator', () => {
  const base: ZoHyper = { ...ZO_DEFAULTS, seed: 31, eps: 1e-3 };

  it(`two-sided: mean g z over ${SEEDS} seeds points along the finite-difference gradient`, () => {
    const { est, fd } = estimate(base, SEEDS);
    if (process.env.ZO_VERBOSE) console.log(`cosine ${cosine(est, fd).toFixed(4)}`);
    expect(cosine(est, fd)).toBeGreaterThanOrEqual(0.9);
  });

  it(`one-sided, q = 2: mean g z over ${SEEDS / 2} steps (${SEEDS} directions) too`, () => {
    const { est, fd } = estimate({ ...base, oneSided: true, q: 2 }, SEEDS / 2);
    if (process.env.ZO_VERBOSE) console.log(`cosine ${cosine(est, fd).toFixed(4)}`);
    expect(cosine(est, fd)).toBeGreaterThanOrEqual(0.9);
  });

  it('a handful of seeds is still noisy (the test above measures convergence, not luck)', () => {
    const { est, fd } = estimate(base, 3);
    expect(cosine(est, fd)).toBeLessThan(0.9);
  });
});
