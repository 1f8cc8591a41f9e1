// The work and memory of an influence computation, reported before it starts (issue 14: "2K
// perturbation passes plus 2K N/B batched forwards"; with per-tensor block directions every
// tensor has its own K directions, so both counts are multiplied by the number of tensors).
import type { InfluenceCost } from '../api';

export function influenceCost(o: { rows: number; k: number; blocks: boolean; ranges: readonly { count: number }[]; batch: number }): InfluenceCost {
  const tensors = o.ranges.length;
  const passesPerDirection = o.blocks ? tensors : 1;
  const dims = o.k * passesPerDirection;
  return {
    rows: o.rows,
    k: o.k,
    dims,
    tensors,
    parameters: o.ranges.reduce((a, r) => a + r.count, 0),
    perturbationPasses: 2 * o.k * passesPerDirection,
    forwards: 2 * o.k * passesPerDirection * Math.ceil(o.rows / o.batch),
    batch: o.batch,
    cacheBytes: o.rows * 4 + Math.ceil((o.rows * dims * 2) / 4) * 4,
    // The snapshot the weights are restored from: all ranges, or the largest one at a time with blocks.
    scratchBytes: o.blocks ? Math.max(0, ...o.ranges.map((r) => r.count * 4)) : o.ranges.reduce((a, r) => a + r.count * 4, 0),
  };
}
