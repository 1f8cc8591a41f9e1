// SensZOQ's choice of trainable entries: the top fraction of a weight matrix by a
// sensitivity score, all forward-only. Scores:
//   activation: |W_ij| * ||X_j||_2, with ||X_j|| from calibration text (the paper's proxy)
//   magnitude:  |W_ij|
//   random:     uniform, the ablation baseline (seeded)
import { seededUniform } from './seededUniform';

export type SensitivityScore = 'activation' | 'magnitude' | 'random';

export function sensitivityScores(kind: SensitivityScore, w: Float32Array, rows: number, cols: number, columnNorms: Float32Array | null, seed: number): Float32Array {
  if (kind === 'random') return seededUniform(rows * cols, seed, 1).map(Math.abs);
  const out = new Float32Array(rows * cols);
  if (kind === 'activation' && !columnNorms) throw new Error('activation-aware scores need calibration column norms');
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      out[i] = kind === 'activation' ? Math.abs(w[i]) * columnNorms![c] : Math.abs(w[i]);
    }
  }
  return out;
}

/** Indices of the k largest scores, ascending (so they form row-major CSR directly). */
export function topK(scores: Float32Array, k: number): Uint32Array {
  const n = scores.length;
  k = Math.max(0, Math.min(n, k));
  if (k === 0) return new Uint32Array(0);
  const threshold = kthLargest(scores, k);
  const picked: number[] = [];
  // Strictly greater first, then ties in index order, so exactly k are taken.
  for (let i = 0; i < n; i++) if (scores[i] > threshold) picked.push(i);
  for (let i = 0; i < n && picked.length < k; i++) if (scores[i] === threshold) picked.push(i);
  return Uint32Array.from(picked).sort();
}

function kthLargest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}
