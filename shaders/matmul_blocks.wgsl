// Matrix multiply by weights in a block format kept as the GGUF file stores it (q4k, q5k, q6k,
// bf16: shaders/block_<format>.wgsl, src/engine/defs/blockFormats.ts): y[m, n] (=|+=)
// sum_k x[m, k] * w[n, k]. Compiled after block_common.wgsl + one block_<format>.wgsl and before matmul_common.wgsl;
// the tiled and row-block kernels read the weights through unit8 (already scaled:
// group_scale is 1, as the K-quant mins do not factor out of a group).

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;   // [M, K/4]
@group(0) @binding(1) var<storage, read> w: array<u32>;         // the file's blocks, row-major
@group(0) @binding(2) var<storage, read_write> y: array<f32>;   // [M, N]
@group(0) @binding(3) var<uniform> params: Params;

fn block_word(i: u32) -> u32 { return w[i]; }

fn unit8(n: u32, g: u32, j: u32) -> mat2x4<f32> { return block_unit(n * (params.k / 32u) + g, j); }
fn group_scale(n: u32, g: u32) -> f32 { return 1.0; }

/* Matrix-vector (M <= 8), shaped as matmul_q4.wgsl's: TEAM threads per output row stride over
   its 32-weight groups (a team's step reads TEAM consecutive groups of the row's super-blocks),
   each group decoded once into registers and reused for every row m of x; partial sums meet
   in workgroup memory unless one thread owns the row (TEAM = 1, CPU emulation). */
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
      let G = n * groups + g;
      let u0 = block_unit(G, 0u); let u1 = block_unit(G, 1u);
      let u2 = block_unit(G, 2u); let u3 = block_unit(G, 3u);
      for (var m = 0u; m < MV_MAX_M; m++) {
        if (m < params.m) {
          let b = m * k4 + g * 8u;
          acc[m] = acc[m] + dot(u0[0], x[b]) + dot(u0[1], x[b + 1u]) + dot(u1[0], x[b + 2u]) + dot(u1[1], x[b + 3u])
                 + dot(u2[0], x[b + 4u]) + dot(u2[1], x[b + 5u]) + dot(u3[0], x[b + 6u]) + dot(u3[1], x[b + 7u]);
        }
      }
    }
  }
  if (TEAM == 1u) {
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
