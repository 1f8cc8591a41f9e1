// Shared helpers of the block weight format decoders (block_{q4k,q5k,q6k,bf16}.wgsl), formats
// kept as a GGUF file stores them (src/engine/defs/blockFormats.ts has the CPU twin; byte layouts
// as in ggml-common.h). Not a module on its own: a shader is composed as this file, one format
// file, then its user (matmul_blocks.wgsl, embedding.wgsl), which defines block_word(i) -> u32
// (word i of the weight buffer). Each format file defines block_unit(G, j): weights 8j .. 8j + 7
// of 32-weight group G of the matrix (row n, group g: G = n * k / 32 + g; a row is whole
// super-blocks, so G / 8 is G's super-block), decoded to f32 exactly as the CPU twin does:
// d * sc and dmin * m are exact in f32 (11 x 8 bits), so each weight is one rounding of
// (d * sc) * q - dmin * m, whether the compiler fuses it or not. f16 fields are decoded by hand
// (subnormal d and dmin occur in real files; unpack2x16float may flush them on some GPUs).

const BYTE_SHIFTS = vec4<u32>(0u, 8u, 16u, 24u);

// IEEE half bits (low 16 bits of h) -> f32, subnormals included.
fn half_to_f32(bits: u32) -> f32 {
  let h = bits & 0xffffu;
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 31u;
  let m = h & 1023u;
  if (e == 0u) { return select(1.0, -1.0, sign != 0u) * f32(m) * 5.9604645e-8; } // m * 2^-24
  if (e == 31u) { return bitcast<f32>(sign | 0x7f800000u | (m << 13u)); }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

// The 4 bytes of a word, each shifted right by s and masked to `mask`.
fn byte_fields(u: u32, s: u32, mask: u32) -> vec4<u32> {
  return (vec4<u32>(u) >> (BYTE_SHIFTS + vec4<u32>(s))) & vec4<u32>(mask);
}

// ggml get_scale_min_k4: 6-bit scale (x) and min (y) of sub-block s from 12 packed bytes.
fn scale_min_k4(sw: vec3<u32>, s: u32) -> vec2<f32> {
  let lo = (sw[s / 4u] >> (8u * (s % 4u))) & 255u;           // byte s (s < 4: scale)
  let mid = (sw[(s + 4u) / 4u] >> (8u * (s % 4u))) & 255u;   // byte s + 4
  if (s < 4u) { return vec2<f32>(f32(lo & 63u), f32(mid & 63u)); }
  let below = (sw[(s - 4u) / 4u] >> (8u * (s % 4u))) & 255u; // byte s - 4
  return vec2<f32>(f32((mid & 15u) | ((below >> 6u) << 4u)), f32((mid >> 4u) | ((lo >> 6u) << 4u)));
}

// The 4 bytes at even byte address `at` (q6k blocks are 210 bytes: only 2-byte aligned).
fn word_at(at: u32) -> u32 {
  let w0 = block_word(at / 4u);
  if ((at & 3u) == 0u) { return w0; }
  return (w0 >> 16u) | (block_word(at / 4u + 1u) << 16u);
}

fn byte_at(at: u32) -> u32 { return (block_word(at / 4u) >> (8u * (at & 3u))) & 255u; }

// The 16 bits at even byte address `at`, never reading past them.
fn half_at(at: u32) -> u32 { return (block_word(at / 4u) >> (8u * (at & 3u))) & 0xffffu; }
