// CPU reference for shaders/bias.wgsl: y[r, j] += bias[j] over [rows, width], in place.

export function biasRef(y: Float32Array, bias: Float32Array, rows: number): Float32Array {
  const width = bias.length;
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) y[r * width + j] = Math.fround(y[r * width + j] + bias[j]);
  return y;
}
