// Sum of squares of each input feature over calibration rows, sumsq[k] += sum_m x[m, k]^2:
// the ||X_j||_2 of SensZOQ's activation-aware sensitivity |W_ij| * ||X_j||_2.
// One thread per feature k walking the rows; accumulates across calls (calibration batches).

struct Params {
  rows: u32,
  inDim: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> sumsq: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= params.inDim) { return; }
  var sum = 0.0;
  for (var m = 0u; m < params.rows; m++) {
    let v = x[m * params.inDim + k];
    sum += v * v;
  }
  sumsq[k] += sum;
}
