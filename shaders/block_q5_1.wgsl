// block_unit for Q5_1 weights (composed after block_common.wgsl, which says how it is used).
// Q5_1: 6 words per 32-weight block {d, m | qh | qs[16]}; weight e = d * q + m, q as in Q5_0.
fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  let wb = G * 6u;
  let dm = block_word(wb);
  let d = half_to_f32(dm);
  let m = vec4<f32>(half_to_f32(dm >> 16u));
  let qh = block_word(wb + 1u);
  let q = wb + 2u + 2u * (j % 2u);
  let sh = 4u * (j / 2u);
  let h0 = ((vec4<u32>(qh) >> (vec4<u32>(8u * j) + vec4<u32>(0u, 1u, 2u, 3u))) & vec4<u32>(1u)) << vec4<u32>(4u);
  let h1 = ((vec4<u32>(qh) >> (vec4<u32>(8u * j) + vec4<u32>(4u, 5u, 6u, 7u))) & vec4<u32>(1u)) << vec4<u32>(4u);
  return mat2x4<f32>(d * vec4<f32>(byte_fields(block_word(q), sh, 15u) | h0) + m,
                     d * vec4<f32>(byte_fields(block_word(q + 1u), sh, 15u) | h1) + m);
}
