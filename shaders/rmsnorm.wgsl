// RMSNorm (Zhang & Sennrich 2019), as HF LlamaRMSNorm computes it in float32:
//   y[r, :] = (x[r, :] * inverseSqrt(mean(x[r, :]^2) + eps)) * weight
// main: one workgroup per row; each thread sums the squares of a strided slice of the row, a
// tree reduction in workgroup memory gives the row's sum, then every thread scales its slice.
// main_rows (software adapters, where a barrier costs far more than a loop): one invocation
// per row walks the whole row twice, no workgroup memory and no barriers. main_rows4 is the
// same over vec4 when dim % 4 == 0 (x, y bound as vec4 arrays, dim4 = dim / 4).

struct Params {
  rows: u32,   // rows this call (batch * seqLen)
  dim: u32,    // row length
  eps: f32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [maxRows, dim]
@group(0) @binding(1) var<storage, read> weight: array<f32>;     // [dim]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;    // [maxRows, dim]
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 256;  // a power of two

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.rows) { return; }  // uniform across the workgroup
  let base = row * params.dim;

  var ss = 0.0;
  for (var c = lid; c < params.dim; c += WG) {
    let v = x[base + c];
    ss += v * v;
  }
  partial[lid] = ss;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }

  let inv = inverseSqrt(partial[0] / f32(params.dim) + params.eps);
  for (var c = lid; c < params.dim; c += WG) {
    y[base + c] = (x[base + c] * inv) * weight[c];
  }
}

@compute @workgroup_size(WG)
fn main_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= params.rows) { return; }
  let base = row * params.dim;
  var ss = 0.0;
  for (var c = 0u; c < params.dim; c++) {
    let v = x[base + c];
    ss += v * v;
  }
  let inv = inverseSqrt(ss / f32(params.dim) + params.eps);
  for (var c = 0u; c < params.dim; c++) {
    y[base + c] = (x[base + c] * inv) * weight[c];
  }
}

@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;        // [maxRows, dim / 4]
@group(0) @binding(1) var<storage, read> weight4: array<vec4<f32>>;   // [dim / 4]
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;  // [maxRows, dim / 4]

@compute @workgroup_size(WG)
fn main_rows4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= params.rows) { return; }
  let n4 = params.dim / 4u;
  let base = row * n4;
  var ss = vec4<f32>(0.0);
  for (var c = 0u; c < n4; c++) {
    let v = x4[base + c];
    ss += v * v;
  }
  let inv = inverseSqrt((ss.x + ss.y + ss.z + ss.w) / f32(params.dim) + params.eps);
  for (var c = 0u; c < n4; c++) {
    y4[base + c] = (x4[base + c] * inv) * weight4[c];
  }
}
