// Split-K reduction: y[m, n] (=|+=) sum over s of partial[s, m, n], after the tiled matmul
// kernel (matmul_common.wgsl) wrote one [M, N] partial product per K slice into the scratch.
// Why split at all: with few 64 x 64 output tiles (M = 32 tokens of a prefill: N / 64
// workgroups) each workgroup walks every 32-wide k step in turn, two barriers each, and the
// GPU idles; splitting K multiplies the workgroups and divides that chain (matmul.ts,
// splitKFor). This pass reads splits x M x N floats once and writes M x N, which is small
// next to the weights the matmul reads.
// Slices are added in order 0, 1, ...; y's old value (ACCUMULATE) is added to the whole sum,
// as the unsplit kernel adds its whole dot product.

// Same layout as Params in matmul_common.wgsl: the wrapper binds one uniform to both.
struct Params {
  m: u32,
  n: u32,
  k: u32,
  slice_steps: u32,
  splits: u32,
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;  // [splits, M, N]
@group(0) @binding(1) var<storage, read_write> y: array<f32>;  // [M, N]
@group(0) @binding(2) var<uniform> params: Params;

override ACCUMULATE: bool = false; // y += instead of y =
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn sum_slices(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let count = params.m * params.n;
  if (i >= count) { return; }
  var sum = partial[i];
  for (var s = 1u; s < params.splits; s++) { sum += partial[s * count + i]; }
  if (ACCUMULATE) { y[i] = y[i] + sum; } else { y[i] = sum; }
}
