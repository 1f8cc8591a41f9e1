// CPU references for shaders/logprob.wgsl:
//   gatherRowsRef: dst[i, :] = src[indices[i], :]
//   logProbRef:    out[p, c] = logits[p, targets[p, c]] - logsumexp(logits[p, :])  (NaN for targets >= vocab)

export function gatherRowsRef(src: Float32Array, dim: number, indices: ArrayLike<number>, count = indices.length): Float32Array {
  const dst = new Float32Array(count * dim); // [count, dim]
  for (let i = 0; i < count; i++) dst.set(src.subarray(indices[i] * dim, (indices[i] + 1) * dim), i * dim);
  return dst;
}

export function logProbRef(logits: Float32Array, vocab: number, targets: ArrayLike<number>, candidates: number, positions: number): Float32Array {
  const out = new Float32Array(positions * candidates); // [positions, candidates]
  for (let p = 0; p < positions; p++) {
    const base = p * vocab;
    let m = -Infinity;
    for (let v = 0; v < vocab; v++) m = Math.max(m, logits[base + v]);
    let s = 0;
    for (let v = 0; v < vocab; v++) s += Math.exp(logits[base + v] - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < candidates; c++) {
      const t = targets[p * candidates + c];
      out[p * candidates + c] = t < vocab ? Math.fround(logits[base + t] - lse) : NaN;
    }
  }
  return out;
}
