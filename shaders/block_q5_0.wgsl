// block_unit for Q5_0 weights (composed after block_common.wgsl, which says how it is used).
// Q5_0: 22 bytes per 32-weight block {f16 d | u32 qh | qs[16]}, only 2-byte aligned; weight e =
// d * (q - 16), q the nibble of qs as in Q4_1 plus bit e of qh, worth 16.
fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  let bb = G * 22u;
  let d = half_to_f32(half_at(bb));
  let qh = word_at(bb + 2u);
  let q = bb + 6u + 8u * (j % 2u);
  let sh = 4u * (j / 2u);
  let h0 = ((vec4<u32>(qh) >> (vec4<u32>(8u * j) + vec4<u32>(0u, 1u, 2u, 3u))) & vec4<u32>(1u)) << vec4<u32>(4u);
  let h1 = ((vec4<u32>(qh) >> (vec4<u32>(8u * j) + vec4<u32>(4u, 5u, 6u, 7u))) & vec4<u32>(1u)) << vec4<u32>(4u);
  return mat2x4<f32>(d * (vec4<f32>(byte_fields(word_at(q), sh, 15u) | h0) - vec4<f32>(16.0)),
                     d * (vec4<f32>(byte_fields(word_at(q + 4u), sh, 15u) | h1) - vec4<f32>(16.0)));
}
