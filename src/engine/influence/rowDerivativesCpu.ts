// CPU twin of rowDerivatives.ts: the same directional derivatives with the CPU reference forward
// (model/llamaCpu.ts), loss (cpu/loss.ts) and perturbation (cpu/zo.ts, z from the TS twin of the
// GPU's Philox), direction k being z(seed, step = k, j = 0) of every range as on the GPU. The
// weights are copied aside and back after each direction, as directions.ts does on the GPU.
import type { LlamaConfig } from '../model/config';
import { llamaLogprobsRef, type CpuWeights } from '../model/llamaCpu';
import { lossRef } from '../cpu/loss';
import { perturbRangeCpu, type CpuParamRange } from '../cpu/zo';
import { stepScalars } from '../defs/zoConfig';
import type { LossObjective } from '../defs/lossPlan';
import { buildScoredBatch, type EncodedExample } from '../training/batches';
import { influenceHyper } from './directions';
import type { RowDerivatives } from './rowDerivatives';

/** Per-example losses of `examples` with the CPU reference, in batches of `batch`. */
export function exampleLossesCpu(config: LlamaConfig, weights: CpuWeights, examples: readonly EncodedExample[], objective: LossObjective, batch: number, maxCandidates: number): Float32Array {
  const out = new Float32Array(examples.length);
  for (let start = 0; start < examples.length; start += batch) {
    const b = buildScoredBatch(examples.slice(start, start + batch), objective, 0, maxCandidates);
    out.set(lossRef(llamaLogprobsRef(config, weights, b.input, maxCandidates), b.scored).exampleLoss, start);
  }
  return out;
}

export function rowDerivativesCpu(
  config: LlamaConfig, weights: CpuWeights, ranges: readonly CpuParamRange[], examples: readonly EncodedExample[], objective: LossObjective,
  o: { k: number; seed: number; eps: number; batch: number; maxCandidates: number },
): RowDerivatives {
  const hyper = influenceHyper(o.seed, o.eps);
  const n = examples.length;
  const d = new Float32Array(n * o.k);
  const loss = new Float64Array(n);
  const snapshots = ranges.map((r) => r.array.slice(r.offset, r.offset + r.count));
  const inv = 1 / (2 * o.eps);
  for (let dir = 0; dir < o.k; dir++) {
    const s = stepScalars(hyper, dir, 0);
    for (const r of ranges) perturbRangeCpu(r, s, 0, 1);
    const lp = exampleLossesCpu(config, weights, examples, objective, o.batch, o.maxCandidates);
    for (const r of ranges) perturbRangeCpu(r, s, 0, -2);
    const lm = exampleLossesCpu(config, weights, examples, objective, o.batch, o.maxCandidates);
    ranges.forEach((r, i) => r.array.set(snapshots[i], r.offset));
    for (let i = 0; i < n; i++) {
      d[i * o.k + dir] = (lp[i] - lm[i]) * inv;
      loss[i] += (lp[i] + lm[i]) / 2 / o.k;
    }
  }
  return { d, loss };
}
