// CPU references for the tuning modes' extra kernels: LoRA (lora.wgsl),
// SensZOQ's sparse correction (sparse_delta.wgsl) and calibration norms (column_norms.wgsl).

/** y[m, n] += scale * sum_r B[n, r] * sum_k A[r, k] x[m, k] */
export function loraRef(x: Float32Array, a: Float32Array, b: Float32Array, y: Float32Array, rows: number, inDim: number, outDim: number, rank: number, scale: number): Float32Array {
  const out = y.slice();
  const t = new Float32Array(rank);
  for (let m = 0; m < rows; m++) {
    for (let r = 0; r < rank; r++) {
      let s = 0;
      for (let k = 0; k < inDim; k++) s += x[m * inDim + k] * a[r * inDim + k];
      t[r] = s;
    }
    for (let n = 0; n < outDim; n++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += b[n * rank + r] * t[r];
      out[m * outDim + n] += scale * s;
    }
  }
  return out;
}

export interface CsrEntries {
  rowStart: Uint32Array; // [outDim + 1]
  col: Uint32Array; // [nnz]
}

/** y[m, n] += sum_{e in row n} x[m, col[e]] * (value[e] - base[e]) */
export function sparseDeltaRef(x: Float32Array, csr: CsrEntries, base: Float32Array, value: Float32Array, y: Float32Array, rows: number, inDim: number, outDim: number): Float32Array {
  const out = y.slice();
  for (let m = 0; m < rows; m++) {
    for (let n = 0; n < outDim; n++) {
      let s = 0;
      for (let e = csr.rowStart[n]; e < csr.rowStart[n + 1]; e++) s += x[m * inDim + csr.col[e]] * (value[e] - base[e]);
      out[m * outDim + n] += s;
    }
  }
  return out;
}

export function columnSumsqRef(x: Float32Array, rows: number, inDim: number): Float32Array {
  const out = new Float32Array(inDim);
  for (let m = 0; m < rows; m++) for (let k = 0; k < inDim; k++) out[k] += x[m * inDim + k] ** 2;
  return out;
}
