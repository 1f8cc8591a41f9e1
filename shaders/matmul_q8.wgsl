// Matrix multiply by q8 weights: y[m, n] (=|+=) sum_k x[m, k] * w[n, k]  (w is [out, in]).
// Format (src/engine/cpu/quantize.ts): 4 int8 per u32, little-endian, column c of a group in
// word c >> 2, byte c & 3; value = q * scale; one f32 scale per 32 columns. One vec4<u32> is
// half a group (16 columns), so every weight load is a 16-byte load.

struct Params {
  m: u32, // rows of x and y in this dispatch (<= the buffers' maxRows)
  n: u32, // rows of w = columns of y
  k: u32, // columns of x and w, a multiple of 32
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>;   // [N, K/16] half a group each
@group(0) @binding(2) var<storage, read> scales: array<f32>;    // [N, K/32]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(4) var<uniform> params: Params;

override ACCUMULATE: bool = false; // y += instead of y =
override WG: u32 = 256;            // matvec threads per workgroup
override TEAM: u32 = 32;           // matvec threads sharing one output row (divides WG)
const MV_MAX_M: u32 = 8u;          // most rows of x the matvec kernel takes (wrapper switches above)
const TILE: u32 = 64u;             // tiled kernel: output tile is TILE x TILE (m x n)

fn store(i: u32, v: f32) {
  if (ACCUMULATE) { y[i] = y[i] + v; } else { y[i] = v; }
}

// The 4 signed bytes of one word (columns 0..3 of that word): shift each to the top, then
// arithmetic-shift back down to sign-extend.
fn int8x4(u: u32) -> vec4<f32> {
  return vec4<f32>(bitcast<vec4<i32>>(vec4<u32>(u) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

// For the software-adapter kernel (matmul_rowblock.wgsl): word pair j of group g, unscaled.
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

/* Tiled (M > 8): a 16 x 16 workgroup computes a 64 x 64 tile of y, each thread a 4 x 4
   register block (rows 4*ty.., columns 4*tx..). k advances one quantization group (32) at a
   time: every thread loads 8 values of x (row lid/4, columns 8*(lid%4)..) and two words of w
   (8 int8 of row lid/4), dequantizes them with the group's scale exactly as dequantize()
   does, and stores both transposed, [k][m] and [k][n], into workgroup memory (2 x 8 KiB) so
   the inner loop reads one vec4 of 4 m and one vec4 of 4 n per k and does 16 FMAs. */
var<workgroup> xs: array<vec4<f32>, 512>; // [32 k][16]: x tile, 4 consecutive m per vec4
var<workgroup> ws: array<vec4<f32>, 512>; // [32 k][16]: dequantized w tile, 4 n per vec4

@compute @workgroup_size(256)
fn tiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let n0 = wid.x * TILE;
  let m0 = wid.y * TILE;
  let tx = lid % 16u;
  let ty = lid / 16u;
  let lr = lid / 4u;        // tile row this thread loads (m for x, n for w)
  let lc = (lid % 4u) * 8u; // first of its 8 columns within the group
  let groups = params.k / 32u;
  var acc: array<vec4<f32>, 4>;
  for (var g = 0u; g < groups; g++) {
    var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0);
    if (m0 + lr < params.m) {
      let i = (m0 + lr) * (params.k / 4u) + g * 8u + lc / 4u;
      a0 = x[i]; a1 = x[i + 1u];
    }
    var b0 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
    if (n0 + lr < params.n) {
      let q = w[(n0 + lr) * groups * 2u + g * 2u + (lid % 4u) / 2u];
      let pair = select(q.xy, q.zw, (lid & 1u) == 1u);
      let s = scales[(n0 + lr) * groups + g];
      b0 = int8x4(pair.x) * s; b1 = int8x4(pair.y) * s;
    }
    for (var j = 0u; j < 4u; j++) {
      xs[(lc + j) * 16u + lr / 4u][lr % 4u] = a0[j];
      xs[(lc + 4u + j) * 16u + lr / 4u][lr % 4u] = a1[j];
      ws[(lc + j) * 16u + lr / 4u][lr % 4u] = b0[j];
      ws[(lc + 4u + j) * 16u + lr / 4u][lr % 4u] = b1[j];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 32u; kk++) {
      let a = xs[kk * 16u + ty];
      let b = ws[kk * 16u + tx];
      acc[0] += a.x * b; acc[1] += a.y * b; acc[2] += a.z * b; acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + ty * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + tx * 4u + j;
      if (m < params.m && n < params.n) { store(m * params.n + n, acc[i][j]); }
    }
  }
}
