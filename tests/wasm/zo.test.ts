// WASM ZO passes (wasm/rng.ts, wasm/zo.ts) against the TypeScript references: the Philox u32
// stream and the Gaussian transform are the same f32 operations in the same order (WebAssembly
// rounds each one correctly and never fuses), so z, the perturbation, every optimizer's update
// and the ZOPrO mixed direction are compared BIT FOR BIT (tolerance 0). ||z||^2 sums in another
// order: relative 1e-12. Range lengths straddle the 4-element Philox block and the 16-element
// vector step.
import { describe, expect, it } from 'vitest';
import { directionCpu, perturbRangeCpu } from '../../src/engine/cpu/zo';
import { mixedAxpyCpu, mixedSquaredNormCpu } from '../../src/engine/cpu/zoMixed';
import { gaussianRange } from '../../src/engine/defs/rng';
import { stepScalars, ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import { ZO_OPTIMIZERS } from '../../src/engine/defs/zoOptimizers';
import type { OptimizerName } from '../../src/engine/api';
import { randomArray } from '../helpers/allclose';
import { bits, getF32, put, useWasmKernels } from './wasmHarness';

const kernels = useWasmKernels();
const COUNTS = [1, 3, 4, 5, 15, 16, 17, 33, 100];

describe('wasm ZO passes', () => {
  it('z is the TypeScript Philox + Box-Muller stream bit for bit', () => {
    const wk = kernels();
    for (const [seed, step, j, stream] of [[0, 0, 0, 0], [12345, 7, 1, 3], [0xffffffff, 0xfffffffe, 3, 99]]) {
      const count = 1000;
      const out = wk.allocF32(count);
      wk.gaussianRange(seed, step, j, stream, count, out);
      expect(bits(getF32(wk, out, count))).toEqual(bits(gaussianRange(seed, step, j, stream, count)));
      wk.free(out);
    }
  });

  it('perturb: theta += coef eps scale z_j, bit for bit', () => {
    const wk = kernels();
    const s = stepScalars({ ...ZO_DEFAULTS, seed: 42, eps: 1e-3 }, 5);
    for (const count of COUNTS) {
      for (const [j, coef, scale] of [[0, 1, 1], [1, -2, 1], [2, 1, 0.5]]) {
        const theta = randomArray(count + 3, count);
        const buf = put(wk, theta);
        wk.zoPerturb({ theta: buf, offset: 3, count, stream: 7, decay: true, scale }, s, j, coef);
        perturbRangeCpu({ array: theta, offset: 3, count, stream: 7, decay: true, scale }, s, j, coef);
        expect(bits(getF32(wk, buf, count + 3)), `count ${count} j ${j}`).toEqual(bits(theta));
        wk.free(buf);
      }
    }
  });

  it.each(['zo-sgd', 'zo-sgd-sign', 'zo-sgd-momentum', 'zo-adam'] as OptimizerName[])('%s update (with and without the folded restore), bit for bit', (name) => {
    const wk = kernels();
    const opt = ZO_OPTIMIZERS[name];
    const h = { ...ZO_DEFAULTS, seed: 9, q: 3, lr: 1e-2, weightDecay: 0.1, eps: 1e-3 };
    const s = stepScalars(h, 11);
    const grads = [0.5, -1.25, 2];
    for (const count of COUNTS) {
      for (const restore of [undefined, { j: 2, coef: 1 }]) {
        for (const decay of [true, false]) {
          const scale = 0.75;
          const theta = randomArray(count, count + 50);
          const state = opt.init(count).map((a, i) => a.map((_, e) => (i === 1 ? 0.01 * (e % 5) : 0.1 * Math.sin(e))));
          const tb = put(wk, theta);
          const sb = state.map((a) => put(wk, a));
          wk.zoUpdate(name, { theta: tb, offset: 0, count, stream: 4, decay, scale }, s, grads, 1, sb, restore);
          // reference: restore pass, then direction and the optimizer step
          if (restore) perturbRangeCpu({ array: theta, offset: 0, count, stream: 4, decay, scale }, s, restore.j, restore.coef);
          const d = directionCpu({ array: theta, offset: 0, count, stream: 4, decay, scale }, s, grads);
          opt.step(theta, 0, d, state, s, 1, Math.fround(s.weightDecay * (decay ? 1 : 0)));
          const what = `${name} count ${count} restore ${!!restore} decay ${decay}`;
          expect(bits(getF32(wk, tb, count)), what).toEqual(bits(theta));
          state.forEach((a, i) => expect(bits(getF32(wk, sb[i], count)), `${what} state ${i}`).toEqual(bits(a)));
          wk.free(tb);
          sb.forEach((b) => wk.free(b));
        }
      }
    }
  });

  it('probe: theta = snapshot + a z_j, bit for bit', () => {
    const wk = kernels();
    const f = Math.fround;
    for (const count of COUNTS) {
      const snap = randomArray(count, count + 1);
      const a = f(0.37);
      const z = gaussianRange(8, 4, 1, 6, count);
      const want = snap.map((v, i) => f(v + f(a * z[i])));
      const sb = put(wk, snap), tb = wk.allocF32(count + 2);
      wk.zoProbe({ theta: tb, offset: 2, count, stream: 6, decay: true }, sb, 8, 4, 1, a);
      expect(bits(getF32(wk, tb, count + 2).subarray(2)), `count ${count}`).toEqual(bits(want));
      [sb, tb].forEach((b) => wk.free(b));
    }
  });

  it('zo-sgd-cons moves with its coefficient c', () => {
    const wk = kernels();
    const s = stepScalars({ ...ZO_DEFAULTS, seed: 3, lr: 0.1 }, 2);
    const theta = randomArray(37, 1);
    const tb = put(wk, theta);
    wk.zoUpdate('zo-sgd-cons', { theta: tb, offset: 0, count: 37, stream: 1, decay: false }, s, [Math.fround(0.3)], -2);
    const d = directionCpu({ array: theta, offset: 0, count: 37, stream: 1, decay: false }, s, [Math.fround(0.3)]);
    ZO_OPTIMIZERS['zo-sgd-cons'].step(theta, 0, d, [], s, -2, 0);
    expect(bits(getF32(wk, tb, 37))).toEqual(bits(theta));
  });

  it('ZOPrO mixed direction: axpy bit for bit, ||z||^2 to 1e-12', () => {
    const wk = kernels();
    const terms = [{ step: 3, coef: 0.6 }, { step: 9, coef: -0.8 }, { step: 10, coef: 0.25 }];
    for (const count of COUNTS) {
      const theta = randomArray(count, count);
      const tb = put(wk, theta);
      wk.zoMixedAxpy({ theta: tb, offset: 0, count, stream: 2, decay: true }, 77, terms, 1e-3);
      mixedAxpyCpu({ array: theta, offset: 0, count, stream: 2, decay: true }, 77, terms, 1e-3);
      expect(bits(getF32(wk, tb, count)), `count ${count}`).toEqual(bits(theta));
      wk.free(tb);
    }
    const ranges = [{ count: 100, stream: 0 }, { count: 33, stream: 1 }];
    const got = wk.zoMixedSumsq(ranges, 77, terms);
    const want = mixedSquaredNormCpu(ranges, 77, terms);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-12);
  });
});
