// block_unit for Q6_K weights (composed after block_common.wgsl, which says how it is used).
// Q6_K: 210 bytes per super-block {ql[128] | qh[64] | i8 scales[16] | f16 d}. Sub-block s is
// quarter t = s % 4 of half h = s / 4; its weight l: low 4 bits from ql[64h + 32(t % 2) + l]
// (high nibble when t >= 2), high 2 bits from bits 2t of qh[32h + l], scale per 16 weights.
fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  let s = G % 8u;
  let h = s / 4u;
  let t = s % 4u;
  let bb = (G / 8u) * 210u;
  let d = half_to_f32(half_at(bb + 208u));
  let sc = f32(bitcast<i32>(byte_at(bb + 192u + 8u * h + 2u * t + j / 2u) << 24u) >> 24u);
  let a = d * sc;
  let ql = bb + 64u * h + 32u * (t % 2u) + 8u * j;
  let qh = bb + 128u + 32u * h + 8u * j;
  let lsh = 4u * (t / 2u);
  let q0 = byte_fields(word_at(ql), lsh, 15u) | (byte_fields(word_at(qh), 2u * t, 3u) << vec4<u32>(4u));
  let q1 = byte_fields(word_at(ql + 4u), lsh, 15u) | (byte_fields(word_at(qh + 4u), 2u * t, 3u) << vec4<u32>(4u));
  return mat2x4<f32>(a * (vec4<f32>(q0) - vec4<f32>(32.0)), a * (vec4<f32>(q1) - vec4<f32>(32.0)));
}
