// Elementwise kernels over flat f32 arrays: copy (the bandwidth yardstick for every other
// kernel in the benchmark) and residual add. One thread per 4 elements, vectorised so the
// copy measures what the memory system can do, not what scalar loads can.

struct Params {
  count4: u32,   // number of vec4 elements
}

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < params.count4) {
    dst[i] = src[i];
  }
}

// dst += src: the residual connection after attention and after the MLP.
@compute @workgroup_size(WG)
fn add_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < params.count4) {
    dst[i] = dst[i] + src[i];
  }
}
