// The ZO optimizer family of ZO-Bench (Zhang et al. 2024, "Revisiting Zeroth-Order Optimization
// for Memory-Efficient LLM Fine-Tuning", Sec. 3) as pure {init, step} pairs with explicit state.
// Every one moves along the seed-regenerated direction d = (1/q) sum_j g_j z_j (MeZO eq. 2):
//   zo-sgd           theta -= c lr (d + wd theta)                          (MeZO, Alg. 1)
//   zo-sgd-sign      theta -= c lr (sign(d) + wd theta)
//   zo-sgd-momentum  m = b1 m + (d + wd theta);  theta -= lr m             (PyTorch SGD momentum)
//   zo-sgd-cons      zo-sgd moves with c = 1, -2, then c = choice           (see script.ts)
//   zo-adam          m = b1 m + (1-b1) d;  v = b2 v + (1-b2) d^2;
//                    theta -= lr (m/bc1 / (sqrt(v/bc2) + e) + wd theta)     (AdamW-style decay)
// `step` is the CPU reference of one range; shaders/zo_update.wgsl is the GPU twin (same float
// operations in the same order; the GPU may fuse multiply-adds).
import type { OptimizerName } from '../api';
import type { ZoStepScalars } from './zoConfig';

export interface ZoOptimizer {
  name: OptimizerName;
  /** Entry point in shaders/zo_update.wgsl. */
  entryPoint: 'sgd_update' | 'sign_update' | 'momentum_update' | 'adam_update';
  /** f32 state values per trainable element (m; m and v). */
  stateSlots: 0 | 1 | 2;
  /** Zeroed state for a range of `count` elements. */
  init(count: number): Float32Array[];
  /**
   * theta[offset + i] for i < d.length, given the direction d (already averaged over j), the
   * move coefficient c, wd already masked by the range's decay flag.
   */
  step(theta: Float32Array, offset: number, d: Float32Array, state: Float32Array[], s: ZoStepScalars, c: number, wd: number): void;
}

const f = Math.fround;

const zeros = (slots: number) => (count: number) => Array.from({ length: slots }, () => new Float32Array(count));

function sgdLike(sign: boolean) {
  return (theta: Float32Array, offset: number, d: Float32Array, _state: Float32Array[], s: ZoStepScalars, c: number, wd: number) => {
    const size = f(c * s.lr);
    for (let i = 0; i < d.length; i++) {
      const t = theta[offset + i];
      const dir = sign ? Math.sign(d[i]) : d[i];
      theta[offset + i] = f(t - f(size * f(dir + f(wd * t))));
    }
  };
}

export const ZO_OPTIMIZERS: Record<OptimizerName, ZoOptimizer> = {
  'zo-sgd': { name: 'zo-sgd', entryPoint: 'sgd_update', stateSlots: 0, init: zeros(0), step: sgdLike(false) },
  'zo-sgd-sign': { name: 'zo-sgd-sign', entryPoint: 'sign_update', stateSlots: 0, init: zeros(0), step: sgdLike(true) },
  'zo-sgd-cons': { name: 'zo-sgd-cons', entryPoint: 'sgd_update', stateSlots: 0, init: zeros(0), step: sgdLike(false) },
  'zo-sgd-momentum': {
    name: 'zo-sgd-momentum',
    entryPoint: 'momentum_update',
    stateSlots: 1,
    init: zeros(1),
    step(theta, offset, d, [m], s, _c, wd) {
      for (let i = 0; i < d.length; i++) {
        const t = theta[offset + i];
        m[i] = f(f(s.beta1 * m[i]) + f(d[i] + f(wd * t)));
        theta[offset + i] = f(t - f(s.lr * m[i]));
      }
    },
  },
  'zo-adam': {
    name: 'zo-adam',
    entryPoint: 'adam_update',
    stateSlots: 2,
    init: zeros(2),
    step(theta, offset, d, [m, v], s, _c, wd) {
      const a1 = f(1 - s.beta1);
      const a2 = f(1 - s.beta2);
      for (let i = 0; i < d.length; i++) {
        const t = theta[offset + i];
        m[i] = f(f(s.beta1 * m[i]) + f(a1 * d[i]));
        v[i] = f(f(s.beta2 * v[i]) + f(a2 * f(d[i] * d[i])));
        const mh = f(m[i] / s.bias1);
        const vh = f(v[i] / s.bias2);
        const u = f(f(mh / f(f(Math.sqrt(vh)) + s.adamEps)) + f(wd * t));
        theta[offset + i] = f(t - f(s.lr * u));
      }
    },
  },
};

/** Bytes of optimizer state for ranges of these sizes (the ledger's 'optimizer' category). */
export function optimizerStateBytes(name: OptimizerName, counts: number[]): number {
  return ZO_OPTIMIZERS[name].stateSlots * 4 * counts.reduce((a, b) => a + b, 0);
}
