// LoRA's low-rank update of a linear layer, y += (alpha / r) * B (A x)   (Hu et al. 2021).
// A is [r, in], B is [out, r], both f32 and small, x is [rows, in], t is [rows, r] scratch.
// lora_down: one thread per (row, rank) entry of t, a dot product over `in`.
// lora_up:   one thread per (row, out) entry of y, a dot product over the rank.
// The rank is tiny (4..64), so neither needs tiling; both are memory-light next to the base matmul.
// Each entry point uses its own four bindings (a pipeline sees only what its entry point uses).

struct Params {
  rows: u32,
  inDim: u32,
  outDim: u32,
  rank: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> t: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@group(0) @binding(0) var<storage, read> tIn: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> upParams: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn lora_down(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.rows * params.rank) { return; }
  let m = i / params.rank;
  let r = i % params.rank;
  var sum = 0.0;
  for (var k = 0u; k < params.inDim; k++) {
    sum += x[m * params.inDim + k] * a[r * params.inDim + k];
  }
  t[i] = sum;
}

@compute @workgroup_size(WG)
fn lora_up(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= upParams.rows * upParams.outDim) { return; }
  let m = i / upParams.outDim;
  let n = i % upParams.outDim;
  var sum = 0.0;
  for (var r = 0u; r < upParams.rank; r++) {
    sum += b[n * upParams.rank + r] * tIn[m * upParams.rank + r];
  }
  y[i] += upParams.scale * sum;
}
