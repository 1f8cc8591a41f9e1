// LoRA up-projection, y[m, n] += scale * sum_r B[n, r] t[m, r]; see lora.wgsl for the pair.

struct Params {
  rows: u32,
  inDim: u32,
  outDim: u32,
  rank: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> t: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn lora_up(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.rows * params.outDim) { return; }
  let m = i / params.outDim;
  let n = i % params.outDim;
  var sum = 0.0;
  for (var r = 0u; r < params.rank; r++) {
    sum += b[n * params.rank + r] * t[m * params.rank + r];
  }
  y[i] += params.scale * sum;
}
