// Matrix multiply by q8 weights: y[m, n] (=|+=) sum_k x[m, k] * w[n, k]  (w is [out, in]).
// Format (src/engine/defs/quantFormat.ts): 4 int8 per u32, little-endian, column c of a group in
// word c >> 2, byte c & 3; value = q * scale; one f32 scale per 32 columns. One vec4<u32> is
// half a group (16 columns), so every weight load is a 16-byte load.

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>;   // [N, K/16] half a group each
@group(0) @binding(2) var<storage, read> scales: array<f32>;    // [N, K/32]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(4) var<uniform> params: Params;

// The 4 signed bytes of one word (columns 0..3 of that word): shift each to the top, then
// arithmetic-shift back down to sign-extend.
fn int8x4(u: u32) -> vec4<f32> {
  return vec4<f32>(bitcast<vec4<i32>>(vec4<u32>(u) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

// For the tiled and row-block kernels (matmul_common.wgsl, matmul_rowblock.wgsl): word pair j of group g, unscaled.
fn unit8(n: u32, g: u32, j: u32) -> mat2x4<f32> {
  let q = w[n * (params.k / 16u) + g * 2u + j / 2u];
  let pair = select(q.xy, q.zw, (j & 1u) == 1u);
  return mat2x4<f32>(int8x4(pair.x), int8x4(pair.y));
}
fn group_scale(n: u32, g: u32) -> f32 { return scales[n * (params.k / 32u) + g]; }

/* Matrix-vector (M <= 8): memory-bound, so the design is about reading w once, coalesced.
   A workgroup of WG threads owns WG / TEAM consecutive output rows n; the TEAM threads of a
   row stride over its half-groups (16 columns, one vec4<u32>), thread `lane` taking halves
   lane, lane + TEAM, ... so the team reads TEAM consecutive 16-byte words per step (one
   512-byte coalesced run). Each half is decoded once into registers and reused for every row
   m of x (x is small and stays cached). The scale multiplies the half's dot product. Partial sums meet in
   workgroup memory [m][thread]; then one thread per (m, n) adds its team's TEAM partials. */
var<workgroup> partial: array<f32, WG * MV_MAX_M>;

@compute @workgroup_size(WG)
fn matvec(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows_per_wg = WG / TEAM;
  let row0 = (wid.x + wid.y * nwg.x) * rows_per_wg;
  let n = row0 + lid / TEAM;
  let groups = params.k / 32u;
  let halves = params.k / 16u;
  let k4 = params.k / 4u;
  var acc: array<f32, MV_MAX_M>;
  if (n < params.n) {
    for (var h = lid % TEAM; h < halves; h += TEAM) {
      let q = w[n * halves + h];
      let s = scales[n * groups + h / 2u];
      let w0 = int8x4(q.x); let w1 = int8x4(q.y); let w2 = int8x4(q.z); let w3 = int8x4(q.w);
      for (var m = 0u; m < MV_MAX_M; m++) {
        if (m < params.m) {
          let b = m * k4 + h * 4u;
          let d = dot(w0, x[b]) + dot(w1, x[b + 1u]) + dot(w2, x[b + 2u]) + dot(w3, x[b + 3u]);
          acc[m] = acc[m] + s * d;
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
