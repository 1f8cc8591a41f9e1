// Shared by tests/influence/jl.test.ts (npm test, K <= 256) and tests/experiments/influenceJl.test.ts
// (K = 16 ... 4,096): a tiny Llama whose every parameter's exact per-example gradient is affordable
// by central finite differences on the CPU reference, seeded random classification rows, and the
// statistics that compare ZO influence with exact gradient inner products.
import { tinyLlama, type TinyModel } from '../fixtures/tinyModel';
import type { EncodedExample } from '../../src/engine/training/batches';
import type { CpuParamRange } from '../../src/engine/cpu/zo';
import { exampleLossesCpu } from '../../src/engine/influence/rowDerivativesCpu';
import { influenceScores, topRows } from '../../src/engine/influence/ranking';
import { pearson } from '../../src/engine/influence/trajectory';

/** The smallest Llama the GPU kernels take (widths are multiples of 32): 8,288 parameters. */
export function validationModel(): TinyModel {
  return tinyLlama({ vocab: 32, hidden: 32, heads: 2, kvHeads: 1, intermediate: 32, layers: 1, seed: 11 });
}

/** `n` rows of 3..6 random prompt tokens, candidates tokens 10 and 11, random labels (seeded). */
export function validationRows(n: number, seed = 5): EncodedExample[] {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const len = 3 + Math.floor(next() * 4);
    const promptIds = [1, ...Array.from({ length: len }, () => 3 + Math.floor(next() * 28))];
    return { kind: 'classification', enc: { promptIds, candidates: [[10], [11]], label: next() < 0.5 ? 0 : 1, fallbacks: [] } };
  });
}

/** The CPU twins of GPU trainable ranges: the same tensors (by name) and stream ids. */
export function cpuRanges(m: TinyModel, ranges: readonly { name: string; stream: number }[]): CpuParamRange[] {
  return ranges.map(({ name, stream }) => ({ array: m.weights.get(name)!, offset: 0, count: m.weights.get(name)!.length, stream, decay: true }));
}

/** Exact per-example gradients [rows, parameters] by central differences (step h) over every parameter of `ranges`. */
export function exactGradients(m: TinyModel, ranges: readonly CpuParamRange[], rows: readonly EncodedExample[], h = 1e-2): Float64Array[] {
  const grads = rows.map(() => new Float64Array(ranges.reduce((a, r) => a + r.count, 0)));
  let p = 0;
  for (const r of ranges) {
    for (let i = 0; i < r.count; i++, p++) {
      const v = r.array[i];
      r.array[i] = v + h;
      const lp = exampleLossesCpu(m.config, m.weights, rows, 'classification', rows.length, 2);
      r.array[i] = v - h;
      const lm = exampleLossesCpu(m.config, m.weights, rows, 'classification', rows.length, 2);
      r.array[i] = v;
      for (let e = 0; e < rows.length; e++) grads[e][p] = (lp[e] - lm[e]) / (2 * h);
    }
  }
  return grads;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, n = a.length) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
};

export interface JlFigures {
  k: number;
  /** Pearson correlation of v_q.v_i / K with g_q.g_i over every (query, train row) pair. */
  correlation: number;
  /** RMS of v_q.v_i / K - g_q.g_i, and the JL prediction sqrt(mean |g_q|^2 |g_i|^2 (1 + cos^2) / K). */
  rmsError: number;
  jlError: number;
  /** Mean over queries of |top-10 by ZO cosine ∩ top-10 by exact cosine| / 10. */
  top10: number;
}

/**
 * Figures for the first `k` directions of `vectors` ([rows, kMax]): queries are rows 0..queries-1,
 * the train rows the rest.
 */
export function jlFigures(vectors: Float32Array, kMax: number, k: number, grads: readonly Float64Array[], queries: number): JlFigures {
  const rows = grads.length;
  const train = rows - queries;
  const est: number[] = [];
  const exact: number[] = [];
  let sq = 0;
  let jl = 0;
  const prefix = (r: number) => vectors.subarray(r * kMax, r * kMax + k);
  const trainPrefix = new Float32Array(train * k);
  for (let i = 0; i < train; i++) trainPrefix.set(prefix(queries + i), i * k);
  const exactTrain = new Float32Array(train * grads[0].length);
  for (let i = 0; i < train; i++) exactTrain.set(grads[queries + i], i * grads[0].length);
  let overlap = 0;
  for (let q = 0; q < queries; q++) {
    const gq = grads[q];
    for (let i = 0; i < train; i++) {
      const gi = grads[queries + i];
      const e = dot(gq, gi);
      const na = dot(gq, gq);
      const nb = dot(gi, gi);
      const x = dot(prefix(q), prefix(queries + i)) / k;
      est.push(x);
      exact.push(e);
      sq += (x - e) ** 2;
      jl += (na * nb * (1 + (e * e) / (na * nb))) / k;
    }
    const zo = topRows(influenceScores(trainPrefix, k, prefix(q)), 10).highest.map((s) => s.row);
    const ex = new Set(topRows(influenceScores(exactTrain, gq.length, Float32Array.from(gq)), 10).highest.map((s) => s.row));
    overlap += zo.filter((r) => ex.has(r)).length / 10;
  }
  const pairs = queries * train;
  return { k, correlation: pearson(est, exact), rmsError: Math.sqrt(sq / pairs), jlError: Math.sqrt(jl / pairs), top10: overlap / queries };
}

export function formatFigures(f: JlFigures): string {
  return `K=${String(f.k).padStart(4)}  corr ${f.correlation.toFixed(3)}  rms err ${f.rmsError.toExponential(2)}  JL ${f.jlError.toExponential(2)}  (ratio ${(f.rmsError / f.jlError).toFixed(2)})  top-10 overlap ${(100 * f.top10).toFixed(0)}%`;
}
