// The row-block kernel (matmul_rowblock.wgsl, CPU-emulated adapters) for weights whose unit8
// is a long decoder (the block formats: shaders/block_<format>.wgsl). Compiled after
// matmul_rowblock.wgsl, whose helpers it uses. The plain row-block loop decodes 16 rows of w per
// step, each unit8 inlined: with a K-quant decoder SwiftShader then spends ~12 s compiling
// one pipeline. Here the 4 column quads of the 16 x 16 block run one after another (a loop
// the compiler keeps), so each step inlines 4 decoders; x is read 4 times instead of once,
// cheap next to decoding. Each output element sums the same products in the same order as
// the plain kernel.

@compute @workgroup_size(RB_WG)
fn rowblock_lean(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * RB_WG;
  let nblocks = (params.n + RB - 1u) / RB;
  if (i >= nblocks * ((params.m + RB - 1u) / RB)) { return; }
  let n0 = (i % nblocks) * RB;
  let m0 = (i / nblocks) * RB;
  let q = vec4<u32>(0u, 1u, 2u, 3u);
  let nl = vec4<u32>(params.n - 1u);
  let ml = vec4<u32>(params.m - 1u);
  let k4 = params.k / 4u;
  let r_0 = min(m0 + q, ml) * k4; let r_1 = min(m0 + 4u + q, ml) * k4;
  let r_2 = min(m0 + 8u + q, ml) * k4; let r_3 = min(m0 + 12u + q, ml) * k4;
  for (var c = 0u; c < 4u; c++) {
    let nq = min(n0 + 4u * c + q, nl);
    var a0 = mat4x4<f32>(); var a1 = mat4x4<f32>(); var a2 = mat4x4<f32>(); var a3 = mat4x4<f32>();
    for (var g = 0u; g < params.k / 32u; g++) {
      let s = scale_quad(nq, g);
      for (var j = 0u; j < 4u; j++) {
        let u = g * 8u + 2u * j;
        let wq = w_quad(nq, g, j, s);
        let x0 = x_quad(r_0, u); let x1 = x_quad(r_1, u); let x2 = x_quad(r_2, u); let x3 = x_quad(r_3, u);
        a0 += x0.a * wq.a + x0.b * wq.b; a1 += x1.a * wq.a + x1.b * wq.b;
        a2 += x2.a * wq.a + x2.b * wq.b; a3 += x3.a * wq.a + x3.b * wq.b;
      }
    }
    store_quad(a0, m0, n0 + 4u * c); store_quad(a1, m0 + 4u, n0 + 4u * c);
    store_quad(a2, m0 + 8u, n0 + 4u * c); store_quad(a3, m0 + 12u, n0 + 4u * c);
  }
}
