// Ranking train rows for a query (RapidIn, sec. 3: cosine similarity of compressed gradients):
// score_i = cos(v_i, v_q) of the K-vectors of directional derivatives. With per-tensor block
// directions each tensor's K numbers are unit-normalised first, as RapidIn normalises per-tensor
// gradients, so one tensor with a large gradient cannot decide the ranking alone: the score is
// then the mean of the per-tensor cosines (a zero block counts 0). Plain TypeScript on the CPU.
import type { InfluenceScore } from '../api';

/** Cosine of each row's vector (rows x dims, row-major) with the query's, per block of dims / blocks numbers. */
export function influenceScores(vectors: Float32Array, dims: number, query: ArrayLike<number>, blocks = 1): Float32Array {
  if (query.length !== dims) throw new Error(`query vector has ${query.length} numbers, the rows ${dims}`);
  if (dims % blocks !== 0) throw new Error(`${dims} numbers do not split into ${blocks} blocks`);
  const rows = vectors.length / dims;
  const k = dims / blocks;
  const out = new Float32Array(rows);
  const qNorm = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let s = 0;
    for (let c = b * k; c < (b + 1) * k; c++) s += query[c] * query[c];
    qNorm[b] = Math.sqrt(s);
  }
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let b = 0; b < blocks; b++) {
      let dot = 0;
      let nn = 0;
      for (let c = b * k; c < (b + 1) * k; c++) {
        const v = vectors[r * dims + c];
        dot += v * query[c];
        nn += v * v;
      }
      const denom = Math.sqrt(nn) * qNorm[b];
      if (denom > 0) total += dot / denom;
    }
    out[r] = total / blocks;
  }
  return out;
}

/** The `top` highest scores (descending) and the `top` lowest (ascending); ties by row index.
 *  `sourceRows` maps a row to its index in the task as given (identity when absent); `among`
 *  limits the lists to those rows (all when absent). */
export function topRows(scores: ArrayLike<number>, top: number, sourceRows?: readonly number[], among?: readonly number[]): { highest: InfluenceScore[]; lowest: InfluenceScore[] } {
  const order = among ? [...among] : Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const pick = (rows: number[]) => rows.slice(0, Math.max(0, top)).map((row) => ({ row, sourceRow: sourceRows?.[row] ?? row, score: scores[row] }));
  return { highest: pick(order), lowest: pick([...order].reverse().sort((a, b) => scores[a] - scores[b] || a - b)) };
}
