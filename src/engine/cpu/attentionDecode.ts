// CPU reference for shaders/attention_decode.wgsl and kv_cache.wgsl: attention of qLen new
// queries per sequence against a KV cache, in plain loops (f64 accumulation, as attentionRef):
//   out[b, i, h, :] = sum_{j <= pos + i} softmax_j(q[b, i, h, :] . K[b, j, g, :] / sqrt(headDim)) V[b, j, g, :]
// (with a sliding window W, over j > pos + i - W only).

/** kCache[b * maxLen + pos + i, :] = k[b * qLen + i, :] (and v), in place. */
export function kvAppendRef(k: Float32Array, v: Float32Array, kCache: Float32Array, vCache: Float32Array, batch: number, qLen: number, pos: number, maxLen: number, rowWidth: number): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < qLen; i++) {
      const src = (b * qLen + i) * rowWidth;
      const dst = (b * maxLen + pos + i) * rowWidth;
      kCache.set(k.subarray(src, src + rowWidth), dst);
      vCache.set(v.subarray(src, src + rowWidth), dst);
    }
  }
}

export function attentionDecodeRef(
  q: Float32Array, // [batch * qLen, heads, headDim]
  kCache: Float32Array, // [maxBatch * maxLen, kvHeads, headDim]
  vCache: Float32Array,
  batch: number,
  qLen: number,
  pos: number,
  maxLen: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  window = 0, // sliding window (keys per query); 0 = every earlier key
): Float32Array {
  const out = new Float32Array(batch * qLen * heads * headDim);
  const group = heads / kvHeads;
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const p = new Float64Array(pos + qLen);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < qLen; i++) {
      for (let h = 0; h < heads; h++) {
        const g = Math.floor(h / group);
        const qAt = ((b * qLen + i) * heads + h) * headDim;
        const end = pos + i + 1;
        const first = window > 0 ? Math.max(0, end - window) : 0;
        let m = -Infinity;
        for (let j = first; j < end; j++) {
          const kAt = ((b * maxLen + j) * kvHeads + g) * headDim;
          let s = 0;
          for (let d = 0; d < headDim; d++) s += q[qAt + d] * kCache[kAt + d];
          p[j] = s * scale;
          m = Math.max(m, p[j]);
        }
        let sum = 0;
        for (let j = first; j < end; j++) {
          p[j] = Math.exp(p[j] - m);
          sum += p[j];
        }
        for (let d = 0; d < headDim; d++) {
          let acc = 0;
          for (let j = first; j < end; j++) acc += p[j] * vCache[((b * maxLen + j) * kvHeads + g) * headDim + d];
          out[qAt + d] = Math.fround(acc / sum);
        }
      }
    }
  }
  return out;
}
