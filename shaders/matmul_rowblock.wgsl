// Batched matmul for CPU-emulated adapters (SwiftShader): y[m, n] (=|+=) sum_k x[m, k] w[n, k].
// Not a module on its own: it is compiled after one format's shader (matmul_{f32,f16,q8,q4}
// .wgsl), which declares x, w, [scales,] y, params and store(), and defines
//   unit8(n, g, j) -> mat2x4<f32>: columns 32g + 8j .. 32g + 8j + 7 of w row n, unscaled;
//   group_scale(n, g) -> f32:       the factor of group g of row n (1 for f32 and f16).
//
// Why not the tiled kernel: on SwiftShader a workgroup runs on one CPU thread, its
// invocations a few at a time in SIMD lanes, and each workgroupBarrier() switches every
// invocation's coroutine; two barriers per 32-wide k step cost far more than the arithmetic.
// Every storage load is a per-lane gather with a bounds check, so what matters is FMAs per
// load. Here there is no workgroup memory and no barrier: each invocation owns a 16 x 16 block
// of y and reads x and w straight from storage; per 8-column unit it loads 16 x 2 vec4 of x
// and decodes 16 units of w (scale applied once per unit, exactly as dequantize() does), then
// does 16 x 16 x 8 FMAs. The block is 16 mat4x4 accumulators: for 4 rows of x (as the rows of
// Xt) and 4 units of w (as the columns of W), Xt * W is the 4 x 4 block [c][r] of dot products.
// SwiftShader does not unroll loops, so an array indexed in a loop lives in memory (4-8x
// slower, measured): the block is written out by hand. Out-of-range rows and columns are
// clamped for loading (no divergence in the loop) and skipped at the store.
// Measured (M = 512, shared 2-core machine, CPU time of one dispatch): 4.5-7.5x less than the
// tiled kernel (K = N = 192: ~18 ms against ~130 ms). Blocks of 4x4 / 8x8 / 16x8 / 32x8 / 16x4
// were 1.2-3x slower or no better; workgroups of 16, 64 and 256 were the same within noise.

override RB_WG: u32 = 64; // invocations per workgroup (linear grid, folded into y)
const RB: u32 = 16u;      // block edge (rows of x and rows of w per invocation); BLOCK in matmul.ts

struct Quad { a: mat4x4<f32>, b: mat4x4<f32> } // columns 0..3 and 4..7 of a unit, for 4 rows

// Rows r of x (element offsets / 4) at unit u, transposed: row i of .a is x[r[i], 8u'..+3].
fn x_quad(r: vec4<u32>, u: u32) -> Quad {
  return Quad(transpose(mat4x4<f32>(x[r.x + u], x[r.y + u], x[r.z + u], x[r.w + u])),
              transpose(mat4x4<f32>(x[r.x + u + 1u], x[r.y + u + 1u], x[r.z + u + 1u], x[r.w + u + 1u])));
}

// Unit j of group g of w rows n, scaled by s: column i of .a is w[n[i], 32g + 8j ..+3].
fn w_quad(n: vec4<u32>, g: u32, j: u32, s: vec4<f32>) -> Quad {
  let w0 = unit8(n.x, g, j) * s.x; let w1 = unit8(n.y, g, j) * s.y;
  let w2 = unit8(n.z, g, j) * s.z; let w3 = unit8(n.w, g, j) * s.w;
  return Quad(mat4x4<f32>(w0[0], w1[0], w2[0], w3[0]), mat4x4<f32>(w0[1], w1[1], w2[1], w3[1]));
}

fn scale_quad(n: vec4<u32>, g: u32) -> vec4<f32> {
  return vec4<f32>(group_scale(n.x, g), group_scale(n.y, g), group_scale(n.z, g), group_scale(n.w, g));
}

// Stores block [c][r] of rows m0.., columns n0.., skipping what lies outside y.
fn store_quad(acc: mat4x4<f32>, m0: u32, n0: u32) {
  for (var c = 0u; c < 4u; c++) {
    for (var r = 0u; r < 4u; r++) {
      if (m0 + r < params.m && n0 + c < params.n) { store((m0 + r) * params.n + n0 + c, acc[c][r]); }
    }
  }
}

@compute @workgroup_size(RB_WG)
fn rowblock(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * RB_WG;
  let nblocks = (params.n + RB - 1u) / RB;
  if (i >= nblocks * ((params.m + RB - 1u) / RB)) { return; }
  let n0 = (i % nblocks) * RB;
  let m0 = (i / nblocks) * RB;
  let q = vec4<u32>(0u, 1u, 2u, 3u);
  let nl = vec4<u32>(params.n - 1u);
  let n_0 = min(n0 + q, nl); let n_1 = min(n0 + 4u + q, nl); let n_2 = min(n0 + 8u + q, nl); let n_3 = min(n0 + 12u + q, nl);
  let ml = vec4<u32>(params.m - 1u);
  let k4 = params.k / 4u;
  let r_0 = min(m0 + q, ml) * k4; let r_1 = min(m0 + 4u + q, ml) * k4;
  let r_2 = min(m0 + 8u + q, ml) * k4; let r_3 = min(m0 + 12u + q, ml) * k4;
  var a00 = mat4x4<f32>(); var a01 = mat4x4<f32>(); var a02 = mat4x4<f32>(); var a03 = mat4x4<f32>();
  var a10 = mat4x4<f32>(); var a11 = mat4x4<f32>(); var a12 = mat4x4<f32>(); var a13 = mat4x4<f32>();
  var a20 = mat4x4<f32>(); var a21 = mat4x4<f32>(); var a22 = mat4x4<f32>(); var a23 = mat4x4<f32>();
  var a30 = mat4x4<f32>(); var a31 = mat4x4<f32>(); var a32 = mat4x4<f32>(); var a33 = mat4x4<f32>();
  for (var g = 0u; g < params.k / 32u; g++) {
    let s0 = scale_quad(n_0, g); let s1 = scale_quad(n_1, g); let s2 = scale_quad(n_2, g); let s3 = scale_quad(n_3, g);
    for (var j = 0u; j < 4u; j++) {
      let u = g * 8u + 2u * j;
      let x0 = x_quad(r_0, u); let x1 = x_quad(r_1, u); let x2 = x_quad(r_2, u); let x3 = x_quad(r_3, u);
      let w0 = w_quad(n_0, g, j, s0); let w1 = w_quad(n_1, g, j, s1);
      let w2 = w_quad(n_2, g, j, s2); let w3 = w_quad(n_3, g, j, s3);
      a00 += x0.a * w0.a + x0.b * w0.b; a01 += x0.a * w1.a + x0.b * w1.b; a02 += x0.a * w2.a + x0.b * w2.b; a03 += x0.a * w3.a + x0.b * w3.b;
      a10 += x1.a * w0.a + x1.b * w0.b; a11 += x1.a * w1.a + x1.b * w1.b; a12 += x1.a * w2.a + x1.b * w2.b; a13 += x1.a * w3.a + x1.b * w3.b;
      a20 += x2.a * w0.a + x2.b * w0.b; a21 += x2.a * w1.a + x2.b * w1.b; a22 += x2.a * w2.a + x2.b * w2.b; a23 += x2.a * w3.a + x2.b * w3.b;
      a30 += x3.a * w0.a + x3.b * w0.b; a31 += x3.a * w1.a + x3.b * w1.b; a32 += x3.a * w2.a + x3.b * w2.b; a33 += x3.a * w3.a + x3.b * w3.b;
    }
  }
  store_quad(a00, m0, n0); store_quad(a01, m0, n0 + 4u); store_quad(a02, m0, n0 + 8u); store_quad(a03, m0, n0 + 12u);
  store_quad(a10, m0 + 4u, n0); store_quad(a11, m0 + 4u, n0 + 4u); store_quad(a12, m0 + 4u, n0 + 8u); store_quad(a13, m0 + 4u, n0 + 12u);
  store_quad(a20, m0 + 8u, n0); store_quad(a21, m0 + 8u, n0 + 4u); store_quad(a22, m0 + 8u, n0 + 8u); store_quad(a23, m0 + 8u, n0 + 12u);
  store_quad(a30, m0 + 12u, n0); store_quad(a31, m0 + 12u, n0 + 4u); store_quad(a32, m0 + 12u, n0 + 8u); store_quad(a33, m0 + 12u, n0 + 12u);
}
