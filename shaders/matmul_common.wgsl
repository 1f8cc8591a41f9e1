// The parts of the matrix-multiply kernels every weight format shares: the parameter block,
// the sizes, y's store, and the tiled kernel for M > 8 on GPUs. Compiled after one format file
// (matmul_{f32,f16,q8,q4}.wgsl), which binds x, w (+ scales), y and params and defines
// unit8(n, g, j) (8 weights of row n, columns 32g + 8j..) and group_scale(n, g); the
// memory-bound matrix-vector kernel stays in each format file, shaped around its own loads.

struct Params {
  m: u32,           // rows of x and y in this dispatch (<= the buffers' maxRows)
  n: u32,           // rows of w = columns of y
  k: u32,           // columns of x and w, a multiple of 32
  slice_steps: u32, // tiled kernel: 32-wide k steps per K slice (k / 32 when K is not split)
  splits: u32,      // K slices (1 when not split); read by matmul_splitk.wgsl
}


override ACCUMULATE: bool = false; // y += instead of y =
override WG: u32 = 256;            // matvec threads per workgroup
override TEAM: u32 = 32;           // matvec threads sharing one output row (divides WG)
const MV_MAX_M: u32 = 8u;          // most rows of x the matvec kernel takes (wrapper switches above)
const TILE: u32 = 64u;             // tiled kernel: output tile is TILE x TILE (m x n)

fn store(i: u32, v: f32) {
  if (ACCUMULATE) { y[i] = y[i] + v; } else { y[i] = v; }
}

/* Tiled (M > 8): a 16 x 16 workgroup computes a 64 x 64 tile of y, each thread a 4 x 4
   register block (rows 4*ty.., columns 4*tx..). k advances 32 at a time (the same step as
   quantization groups): every thread loads 8 values of x (row lid/4, columns 8*(lid%4)..)
   and 8 of w (row lid/4, same columns: the format's unit8, times its group_scale, exactly as
   dequantize() does) and stores both transposed, [k][m] and [k][n], into
   workgroup memory (2 x 8 KiB) so the inner loop reads one vec4 of 4 m and one vec4 of 4 n
   per k and does 16 FMAs.
   Split K (matmul.ts, splitKFor): when the 64 x 64 grid is too small to fill the GPU, the
   k steps run sequentially in too few workgroups, so workgroup z takes only k steps
   [z * slice_steps, (z + 1) * slice_steps) and the wrapper binds the [splits, M, N] scratch in
   y's place with ACCUMULATE off; slice z's tile lands at z * M * N and matmul_splitk.wgsl adds
   the slices into y. Unsplit, z = 0 and slice_steps = k / 32: the same loop and stores as ever. */
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
  let g_begin = wid.z * params.slice_steps;
  let g_end = min(g_begin + params.slice_steps, params.k / 32u);
  var acc: array<vec4<f32>, 4>;
  for (var g = g_begin; g < g_end; g++) {
    var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0);
    if (m0 + lr < params.m) {
      let i = (m0 + lr) * k4 + g * 8u + lc / 4u;
      a0 = x[i]; a1 = x[i + 1u];
    }
    var b0 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
    if (n0 + lr < params.n) {
      let wv = unit8(n0 + lr, g, lid % 4u);
      let s = group_scale(n0 + lr, g);
      b0 = wv[0] * s; b1 = wv[1] * s;
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
  let slice_base = wid.z * params.m * params.n;
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + ty * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + tx * 4u + j;
      if (m < params.m && n < params.n) { store(slice_base + m * params.n + n, acc[i][j]); }
    }
  }
}
