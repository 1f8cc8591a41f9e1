// CPU reference for shaders/rmsnorm.wgsl (HF LlamaRMSNorm in float32):
//   y[r, :] = (x[r, :] / sqrt(mean(x[r, :]^2) + eps)) * weight

export function rmsnormRef(x: Float32Array, weight: Float32Array, rows: number, dim: number, eps: number): Float32Array {
  const y = new Float32Array(rows * dim); // [rows, dim]
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let c = 0; c < dim; c++) ss += x[r * dim + c] * x[r * dim + c];
    const inv = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(ss) / dim) + Math.fround(eps)));
    for (let c = 0; c < dim; c++) y[r * dim + c] = Math.fround(Math.fround(x[r * dim + c] * inv) * weight[c]);
  }
  return y;
}
