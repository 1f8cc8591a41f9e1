// SensZOQ's sparse correction (shaders/sparse_delta.wgsl; CPU reference
// src/engine/cpu/adapters.ts sparseDeltaRef): y[m, n] += sum_{e in row n} x[m, col[e]] (value[e] - base[e]),
// the trained entries of a quantized weight kept as a CSR list over its rows. LoRA is two
// matmuls (src/engine/wasm/kernels.ts lora). Threads split the weight rows [n0, n1).

export function sparse_delta(x: usize, rowStart: usize, col: usize, base: usize, value: usize, y: usize, rows: i32, inDim: i32, outDim: i32, n0: i32, n1: i32): void {
  for (let n = n0; n < n1; n++) {
    const e0 = load<u32>(rowStart + (<usize>n << 2)), e1 = load<u32>(rowStart + (<usize>(n + 1) << 2));
    if (e0 == e1) continue;
    for (let m = 0; m < rows; m++) {
      const xr = x + ((<usize>m * <usize>inDim) << 2);
      let s: f32 = 0;
      for (let e = e0; e < e1; e++) {
        const eo = <usize>e << 2;
        s += load<f32>(xr + (<usize>load<u32>(col + eo) << 2)) * (load<f32>(value + eo) - load<f32>(base + eo));
      }
      const yo = y + ((<usize>m * <usize>outDim + <usize>n) << 2);
      store<f32>(yo, load<f32>(yo) + s);
    }
  }
}
