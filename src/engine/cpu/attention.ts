// CPU reference for shaders/attention.wgsl: causal softmax attention with grouped-query heads,
// in plain loops as HF's eager path computes it (repeat_kv, scores * 1/sqrt(headDim), softmax):
//   out[b, i, h, :] = sum_{j <= i} softmax_j(q[b, i, h, :] . k[b, j, g, :] / sqrt(headDim)) v[b, j, g, :],
//   g = floor(h / (heads / kvHeads)); with a sliding window W, over j > i - W only (HF's mask).

export function attentionRef(
  q: Float32Array, // [batch * seqLen, heads, headDim]
  k: Float32Array, // [batch * seqLen, kvHeads, headDim]
  v: Float32Array, // [batch * seqLen, kvHeads, headDim]
  batch: number,
  seqLen: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  window = 0, // sliding window (keys per query); 0 = every earlier key
): Float32Array {
  const out = new Float32Array(batch * seqLen * heads * headDim); // [batch * seqLen, heads * headDim]
  const group = heads / kvHeads;
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const p = new Float64Array(seqLen);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      for (let i = 0; i < seqLen; i++) {
        const qAt = ((b * seqLen + i) * heads + h) * headDim;
        const first = window > 0 ? Math.max(0, i - window + 1) : 0;
        let m = -Infinity;
        for (let j = first; j <= i; j++) {
          const kAt = ((b * seqLen + j) * kvHeads + g) * headDim;
          let s = 0;
          for (let d = 0; d < headDim; d++) s += q[qAt + d] * k[kAt + d];
          p[j] = s * scale;
          m = Math.max(m, p[j]);
        }
        let sum = 0;
        for (let j = first; j <= i; j++) {
          p[j] = Math.exp(p[j] - m);
          sum += p[j];
        }
        for (let d = 0; d < headDim; d++) {
          let acc = 0;
          for (let j = first; j <= i; j++) acc += p[j] * v[((b * seqLen + j) * kvHeads + g) * headDim + d];
          out[qAt + d] = Math.fround(acc / sum);
        }
      }
    }
  }
  return out;
}
