// block_unit for Q4_1 weights (composed after block_common.wgsl, which says how it is used).
// Q4_1: 5 words per 32-weight block {d, m | qs[16]}; weight j = d * q + m, q the low nibble of
// qs[j] for j < 16 and the high nibble of qs[j - 16]: units 0, 1 low nibbles, 2, 3 high.
fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  let wb = G * 5u;
  let dm = block_word(wb);
  let d = half_to_f32(dm);
  let m = vec4<f32>(half_to_f32(dm >> 16u));
  let q = wb + 1u + 2u * (j % 2u);
  let sh = 4u * (j / 2u);
  return mat2x4<f32>(d * vec4<f32>(byte_fields(block_word(q), sh, 15u)) + m,
                     d * vec4<f32>(byte_fields(block_word(q + 1u), sh, 15u)) + m);
}
