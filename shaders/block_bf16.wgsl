// block_unit for BF16 weights (composed after block_common.wgsl, which says how it is used).
// BF16: 16 words per group, element e in word e / 2, low half first; value bits = half << 16.
fn bf16_pair(u: u32) -> vec2<f32> { return vec2<f32>(bitcast<f32>(u << 16u), bitcast<f32>(u & 0xffff0000u)); }

fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  let wb = G * 16u + 4u * j;
  return mat2x4<f32>(vec4<f32>(bf16_pair(block_word(wb)), bf16_pair(block_word(wb + 1u))),
                     vec4<f32>(bf16_pair(block_word(wb + 2u)), bf16_pair(block_word(wb + 3u))));
}
