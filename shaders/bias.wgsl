// Bias add after a linear layer (Qwen2's q/k/v projections): y[r, j] += bias[j] over
// [rows, width], in place. One thread per element; the bias row is re-read from cache.

struct Params {
  count: u32,   // rows * width this call
  width: u32,
}

@group(0) @binding(0) var<storage, read_write> y: array<f32>;   // [maxRows, width]
@group(0) @binding(1) var<storage, read> bias: array<f32>;      // [width]
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < params.count) {
    y[i] = y[i] + bias[i % params.width];
  }
}
