// Matrix multiply by f16 weights: y[m, n] (=|+=) sum_k x[m, k] * w[n, k]  (w is [out, in]).
// w is IEEE half, 2 per u32 (column 2i in the low 16 bits). This file is the kernels only: it
// is compiled after one of two preludes that bind w (@binding(1)) and define
// load8(i) -> mat2x4<f32>, the 8 consecutive weights of 8-column unit i (w viewed as
// [N, K/8]): matmul_f16_native.wgsl (`enable f16;`, loads f16 directly) when the device has
// shader-f16, matmul_f16_unpack.wgsl (u32 words through unpack2x16float) otherwise.
// Arithmetic is f32 either way: only storage is half precision.

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(3) var<uniform> params: Params;

// For the tiled and row-block kernels (matmul_common.wgsl, matmul_rowblock.wgsl): 8 columns of row n, and no scale.
fn unit8(n: u32, g: u32, j: u32) -> mat2x4<f32> { return load8(n * (params.k / 8u) + g * 4u + j); }
fn group_scale(n: u32, g: u32) -> f32 { return 1.0; }

/* Matrix-vector (M <= 8): memory-bound, so the design is about reading w once, coalesced.
   A workgroup of WG threads owns WG / TEAM consecutive output rows n; the TEAM threads of a
   row stride over its 8-column units (16 bytes of halves), thread `lane` taking units lane,
   lane + TEAM, ... so the team reads TEAM consecutive 16-byte words per step (one 512-byte
   coalesced run). Each unit is decoded once and reused for every row m of x (x is small and
   stays cached). Partial sums meet in
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
    let k8 = params.k / 8u;
    for (var u = lid % TEAM; u < k8; u += TEAM) {
      let wv = load8(n * k8 + u);
      for (var m = 0u; m < MV_MAX_M; m++) {
        if (m < params.m) {
          let b = m * k4 + 2u * u;
          acc[m] = acc[m] + dot(wv[0], x[b]) + dot(wv[1], x[b + 1u]);
        }
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
