// Matrix multiply by f16 weights: y[m, n] (=|+=) sum_k x[m, k] * w[n, k]  (w is [out, in]).
// w is IEEE half, 2 per u32 (column 2i in the low 16 bits). This file is the kernels only: it
// is compiled after one of two preludes that bind w (@binding(1)) and define
// load8(i) -> mat2x4<f32>, the 8 consecutive weights of 8-column unit i (w viewed as
// [N, K/8]): matmul_f16_native.wgsl (`enable f16;`, loads f16 directly) when the device has
// shader-f16, matmul_f16_unpack.wgsl (u32 words through unpack2x16float) otherwise.
// Arithmetic is f32 either way: only storage is half precision.

struct Params {
  m: u32, // rows of x and y in this dispatch (<= the buffers' maxRows)
  n: u32, // rows of w = columns of y
  k: u32, // columns of x and w, a multiple of 32
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(3) var<uniform> params: Params;

override ACCUMULATE: bool = false; // y += instead of y =
override WG: u32 = 256;            // matvec threads per workgroup
override TEAM: u32 = 32;           // matvec threads sharing one output row (divides WG)
const MV_MAX_M: u32 = 8u;          // most rows of x the matvec kernel takes (wrapper switches above)
const TILE: u32 = 64u;             // tiled kernel: output tile is TILE x TILE (m x n)

fn store(i: u32, v: f32) {
  if (ACCUMULATE) { y[i] = y[i] + v; } else { y[i] = v; }
}

// For the software-adapter kernel (matmul_rowblock.wgsl): 8 columns of row n, and no scale.
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

/* Tiled (M > 8): a 16 x 16 workgroup computes a 64 x 64 tile of y, each thread a 4 x 4
   register block (rows 4*ty.., columns 4*tx..). k advances 32 at a time (the same step as
   the quantized kernels): every thread loads 8 values of x (row lid/4, columns 8*(lid%4)..)
   8 of w (row lid/4, same columns, one load8) and stores both transposed, [k][m] and [k][n], into
   workgroup memory (2 x 8 KiB) so the inner loop reads one vec4 of 4 m and one vec4 of 4 n
   per k and does 16 FMAs. */
var<workgroup> xs: array<vec4<f32>, 512>; // [32 k][16]: x tile, 4 consecutive m per vec4
var<workgroup> ws: array<vec4<f32>, 512>; // [32 k][16]: w tile, 4 consecutive n per vec4

@compute @workgroup_size(256)
fn tiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let n0 = wid.x * TILE;
  let m0 = wid.y * TILE;
  let tx = lid % 16u;
  let ty = lid / 16u;
  let lr = lid / 4u;        // tile row this thread loads (m for x, n for w)
  let lc = (lid % 4u) * 8u; // first of its 8 columns within the k step
  let k4 = params.k / 4u;
  var acc: array<vec4<f32>, 4>;
  for (var g = 0u; g < params.k / 32u; g++) {
    var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0);
    if (m0 + lr < params.m) {
      let i = (m0 + lr) * k4 + g * 8u + lc / 4u;
      a0 = x[i]; a1 = x[i + 1u];
    }
    var b0 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
    if (n0 + lr < params.n) {
      let wv = load8((n0 + lr) * (params.k / 8u) + g * 4u + lc / 8u);
      b0 = wv[0]; b1 = wv[1];
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
