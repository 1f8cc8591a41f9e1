// Matrix multiply by f32 weights: y[m, n] (=|+=) sum_k x[m, k] * w[n, k]  (w is [out, in]).
// The baseline format (trainable weights, reference runs): every load is one vec4<f32>.

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;   // [N, K/4]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(3) var<uniform> params: Params;

// For the tiled and row-block kernels (matmul_common.wgsl, matmul_rowblock.wgsl): 8 columns of row n, and no scale.
fn unit8(n: u32, g: u32, j: u32) -> mat2x4<f32> {
  let i = n * (params.k / 4u) + g * 8u + 2u * j;
  return mat2x4<f32>(w[i], w[i + 1u]);
}
fn group_scale(n: u32, g: u32) -> f32 { return 1.0; }

/* Matrix-vector (M <= 8): memory-bound, so the design is about reading w once, coalesced.
   A workgroup of WG threads owns WG / TEAM consecutive output rows n; the TEAM threads of a
   row stride over its vec4 columns, thread `lane` taking vec4s lane, lane + TEAM, ... so the
   team reads TEAM consecutive 16-byte words per step (one 512-byte coalesced run). Each vec4
   of w is reused for every row m of x (x is small and stays cached). Partial sums meet in
   workgroup memory [m][thread]; then one thread per (m, n) adds its team's TEAM partials. */
var<workgroup> partial: array<f32, WG * MV_MAX_M>;

@compute @workgroup_size(WG)
fn matvec(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows_per_wg = WG / TEAM;
  let row0 = (wid.x + wid.y * nwg.x) * rows_per_wg;
  let n = row0 + lid / TEAM;
  let k4 = params.k / 4u;
  var acc: array<f32, MV_MAX_M>;
  if (n < params.n) {
    for (var u = lid % TEAM; u < k4; u += TEAM) {
      let wv = w[n * k4 + u];
      for (var m = 0u; m < MV_MAX_M; m++) {
        if (m < params.m) { acc[m] = acc[m] + dot(wv, x[m * k4 + u]); }
      }
    }
  }
  if (TEAM == 1u) { // a thread owns a whole row (CPU-emulated adapters): no reduction, no barrier
    for (var m = 0u; m < MV_MAX_M; m++) { if (m < params.m && n < params.n) { store(m * params.n + n, acc[m]); } }
    return;
  }
  for (var m = 0u; m < MV_MAX_M; m++) { partial[m * WG + lid] = acc[m]; }
  workgroupBarrier();
  let om = lid / rows_per_wg;
  let r = lid % rows_per_wg;
  if (om < params.m && om < MV_MAX_M && row0 + r < params.n) {
    var sum = 0.0;
    for (var j = 0u; j < TEAM; j++) { sum += partial[om * WG + r * TEAM + j]; }
    store(om * params.n + row0 + r, sum);
  }
}
