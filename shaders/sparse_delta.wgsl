// SensZOQ's sparse correction on top of a quantized base matmul (Guo et al. 2024):
//   y[m, n] += sum_{e in row n} x[m, col[e]] * (value[e] - base[e])
// The trainable entries of W (a ~0.1% subset chosen by sensitivity) are kept as f32 `value`s
// at fixed (row, col) positions in CSR form; `base` is what the quantized matmul already used
// there, so W_eff = Q(W) everywhere except the trainable entries, which are exact f32.
// One thread per output (m, n); rows are nearly empty at 0.1%, so the loop is usually empty.

struct Params {
  rows: u32,   // m: batch x tokens
  outDim: u32, // n
  inDim: u32,  // k
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> rowStart: array<u32>; // [outDim + 1]
@group(0) @binding(2) var<storage, read> col: array<u32>;      // [nnz]
@group(0) @binding(3) var<storage, read> base: array<f32>;     // [nnz]
@group(0) @binding(4) var<storage, read> value: array<f32>;    // [nnz], trainable
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.rows * params.outDim) { return; }
  let m = i / params.outDim;
  let n = i % params.outDim;
  let end = rowStart[n + 1u];
  var sum = 0.0;
  for (var e = rowStart[n]; e < end; e++) {
    sum += x[m * params.inDim + col[e]] * (value[e] - base[e]);
  }
  if (end > rowStart[n]) {
    y[i] += sum;
  }
}
