// CPU reference for the matmul kernels (shaders/matmul_*.wgsl): y[m, n] = sum_k x[m, k] w[n, k],
// weights [out = n, in = k] as in PyTorch. Sums in float64 and rounds once, so it is the
// exact product of the f32 inputs to within one f32 rounding.

/** y[M, N] from x[M, K] and w[N, K]. */
export function matmulRef(x: Float32Array, w: Float32Array, rows: number, n: number, k: number): Float32Array {
  if (x.length < rows * k) throw new Error(`matmulRef: x has ${x.length} values, need ${rows}x${k}`);
  if (w.length < n * k) throw new Error(`matmulRef: w has ${w.length} values, need ${n}x${k}`);
  const y = new Float32Array(rows * n);
  for (let m = 0; m < rows; m++) {
    const xo = m * k;
    for (let j = 0; j < n; j++) {
      const wo = j * k;
      let sum = 0;
      for (let i = 0; i < k; i++) sum += x[xo + i] * w[wo + i];
      y[m * n + j] = sum;
    }
  }
  return y;
}
