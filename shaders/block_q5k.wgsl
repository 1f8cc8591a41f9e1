// block_unit for Q5_K weights (composed after block_common.wgsl, which says how it is used).
// Q5_K: 44 words per super-block {d, dmin | scales[12] | qh[32] | qs[128]}; bit s of qh[l] adds 16.
fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  let s = G % 8u;
  let wb = (G / 8u) * 44u;
  let dm = block_word(wb);
  let sm = scale_min_k4(vec3<u32>(block_word(wb + 1u), block_word(wb + 2u), block_word(wb + 3u)), s);
  let a = half_to_f32(dm) * sm.x;
  let b = vec4<f32>(half_to_f32(dm >> 16u) * sm.y);
  let q = wb + 12u + 8u * (s / 2u) + 2u * j;
  let h = wb + 4u + 2u * j;
  let sh = 4u * (s % 2u);
  let q0 = byte_fields(block_word(q), sh, 15u) | (byte_fields(block_word(h), s, 1u) << vec4<u32>(4u));
  let q1 = byte_fields(block_word(q + 1u), sh, 15u) | (byte_fields(block_word(h + 1u), s, 1u) << vec4<u32>(4u));
  return mat2x4<f32>(a * vec4<f32>(q0) - b, a * vec4<f32>(q1) - b);
}
