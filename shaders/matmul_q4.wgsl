// Matrix multiply by q4 weights: y[m, n] (=|+=) sum_k x[m, k] * w[n, k]  (w is [out, in]).
// Format (src/engine/defs/quantFormat.ts): 8 nibbles per u32, column c of a group in word c >> 3,
// bits 4 * (c & 7); value = (q - 8) * scale; one f32 scale per 32 columns. One vec4<u32> is
// exactly one group, so every weight load is a 16-byte load of one whole group.

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>;   // [N, K/32] one group each
@group(0) @binding(2) var<storage, read> scales: array<f32>;    // [N, K/32]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(4) var<uniform> params: Params;

// q - 8 for the 8 nibbles of one word: columns 0..3 and 4..7 of that word.
fn nibbles_lo(u: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(u) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u)) - vec4<f32>(8.0);
}
fn nibbles_hi(u: u32) -> vec4<f32> { return nibbles_lo(u >> 16u); }

// For the tiled and row-block kernels (matmul_common.wgsl, matmul_rowblock.wgsl): word j of group g, unscaled.
fn unit8(n: u32, g: u32, j: u32) -> mat2x4<f32> {
  let u = w[n * (params.k / 32u) + g][j];
  return mat2x4<f32>(nibbles_lo(u), nibbles_hi(u));
}
fn group_scale(n: u32, g: u32) -> f32 { return scales[n * (params.k / 32u) + g]; }

/* Matrix-vector (M <= 8): memory-bound, so the design is about reading w once, coalesced.
   A workgroup of WG threads owns WG / TEAM consecutive output rows n; the TEAM threads of a
   row stride over its groups, thread `lane` taking groups lane, lane + TEAM, ... so the team
   reads TEAM consecutive 16-byte groups per step (one 512-byte coalesced run). Each group is
   decoded once into registers and reused for every row m of x (x is small and stays cached).
   The scale multiplies the group's dot product, not each weight. Partial sums meet in
   workgroup memory [m][thread]; then one thread per (m, n) adds its team's TEAM partials. */
var<workgroup> partial: array<f32, WG * MV_MAX_M>;

@compute @workgroup_size(WG)
fn matvec(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows_per_wg = WG / TEAM;
  let row0 = (wid.x + wid.y * nwg.x) * rows_per_wg;
  let n = row0 + lid / TEAM;
  let groups = params.k / 32u;
  let k4 = params.k / 4u;
  var acc: array<f32, MV_MAX_M>;
  if (n < params.n) {
    for (var g = lid % TEAM; g < groups; g += TEAM) {
      let q = w[n * groups + g];
      let s = scales[n * groups + g];
      let w0 = nibbles_lo(q.x); let w1 = nibbles_hi(q.x);
      let w2 = nibbles_lo(q.y); let w3 = nibbles_hi(q.y);
      let w4 = nibbles_lo(q.z); let w5 = nibbles_hi(q.z);
      let w6 = nibbles_lo(q.w); let w7 = nibbles_hi(q.w);
      for (var m = 0u; m < MV_MAX_M; m++) {
        if (m < params.m) {
          let b = m * k4 + g * 8u;
          let d = dot(w0, x[b]) + dot(w1, x[b + 1u]) + dot(w2, x[b + 2u]) + dot(w3, x[b + 3u])
                + dot(w4, x[b + 4u]) + dot(w5, x[b + 5u]) + dot(w6, x[b + 6u]) + dot(w7, x[b + 7u]);
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
