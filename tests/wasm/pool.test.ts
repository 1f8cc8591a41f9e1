// The worker pool (src/engine/wasm/pool.ts): two threads over shared memory give bit for bit what
// one thread gives (the threads split weight rows, sequence rows and parameter elements, never a
// sum), for a matmul in f32 and q4 large enough to be split, a ZO update and ||z||^2 (f64 partial
// sums per thread: 1e-12 relative).
import { describe, expect, it } from 'vitest';
import { quantize } from '../../src/engine/defs/quantFormat';
import { stepScalars, ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import { randomArray } from '../helpers/allclose';
import { bits, getF32, put, useWasmKernels } from './wasmHarness';

const one = useWasmKernels(1);
const two = useWasmKernels(2);

describe('wasm worker pool', () => {
  it('starts two threads over shared memory', () => {
    expect(two().threads).toBe(2);
    expect(two().memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('matmul split over weight rows matches one thread bit for bit', () => {
    const rows = 37, n = 133, k = 96;
    const x = randomArray(rows * k, 1), w = randomArray(n * k, 2);
    const q = quantize('q4', w, n, k);
    const results = [one(), two()].map((wk) => {
      const out: Uint32Array[] = [];
      for (const weight of [wk.uploadWeight('f32', n, k, w), wk.uploadWeight('q4', n, k, q.data, q.scales)]) {
        const xb = put(wk, x), yb = wk.allocF32(rows * n);
        wk.matmul(xb, weight, yb, rows);
        out.push(bits(getF32(wk, yb, rows * n)));
        [xb, yb].forEach((b) => wk.free(b));
        wk.freeWeight(weight);
      }
      return out;
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('ZO update and ||z||^2 split over elements', () => {
    const count = 50_001;
    const s = stepScalars({ ...ZO_DEFAULTS, seed: 5, q: 2, lr: 1e-3 }, 3);
    const theta = randomArray(count, 3);
    const [a, b] = [one(), two()].map((wk) => {
      const tb = put(wk, theta);
      wk.zoUpdate('zo-sgd', { theta: tb, offset: 0, count, stream: 1, decay: true }, s, [0.5, -0.25], 1, [], { j: 1, coef: 1 });
      const out = bits(getF32(wk, tb, count));
      wk.free(tb);
      return { out, norm: wk.zoMixedSumsq([{ count, stream: 1 }], 5, [{ step: 1, coef: 0.5 }, { step: 2, coef: 0.5 }]) };
    });
    expect(b.out).toEqual(a.out);
    expect(Math.abs(b.norm - a.norm) / a.norm).toBeLessThan(1e-12);
  });

  it('a kernel that traps on a pool thread throws on the caller, and the pool keeps working', () => {
    const wk = two();
    const count = 1 << 16;
    // a range whose upper half (the worker's slice) lies past the end of the memory
    const end = wk.memory.buffer.byteLength;
    const bogus = { ptr: end - (count / 2) * 4, bytes: count * 4 };
    const s = stepScalars({ ...ZO_DEFAULTS, seed: 1 }, 0);
    expect(() => wk.zoPerturb({ theta: bogus, offset: 0, count, stream: 0, decay: true }, s, 0, 1)).toThrow(/pool thread/);
    const theta = randomArray(count, 9);
    const tb = put(wk, theta);
    wk.zoPerturb({ theta: tb, offset: 0, count, stream: 0, decay: true }, s, 0, 1);
    const ref = one();
    const rb = put(ref, theta);
    ref.zoPerturb({ theta: rb, offset: 0, count, stream: 0, decay: true }, s, 0, 1);
    expect(bits(getF32(wk, tb, count))).toEqual(bits(getF32(ref, rb, count)));
    wk.free(tb);
    ref.free(rb);
  });
});
