// Decoders of the block weight formats kept as a GGUF file stores them (src/engine/cpu/
// blockFormats.ts, the CPU twin; byte layouts as in ggml-common.h). Not a module on its own:
// the including shader defines block_word(i) -> u32 (word i of the weight buffer), and sets
// BLOCK_FORMAT. Every format is read through 32-weight groups: group G of the matrix (row n,
// group g: G = n * k / 32 + g; a row is whole super-blocks, so G / 8 is G's super-block) and
// unit j (weights 8j .. 8j + 7 of the group) decode to f32 exactly as the CPU twin does:
// d * sc and dmin * m are exact in f32 (11 x 8 bits), so each weight is one rounding of
// (d * sc) * q - dmin * m, whether the compiler fuses it or not. f16 fields are decoded by hand
// (subnormal d and dmin occur in real files; unpack2x16float may flush them on some GPUs).

override BLOCK_FORMAT: u32 = 0u; // 0 q4k, 1 q5k, 2 q6k, 3 bf16 (BLOCK_FORMAT_IDS in matmul.ts)

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

// Q4_K: 36 words per super-block {d, dmin | scales[12] | qs[128]}.
fn q4k_unit(G: u32, j: u32) -> mat2x4<f32> {
  let s = G % 8u;
  let wb = (G / 8u) * 36u;
  let dm = block_word(wb);
  let sm = scale_min_k4(vec3<u32>(block_word(wb + 1u), block_word(wb + 2u), block_word(wb + 3u)), s);
  let a = half_to_f32(dm) * sm.x;
  let b = vec4<f32>(half_to_f32(dm >> 16u) * sm.y);
  let q = wb + 4u + 8u * (s / 2u) + 2u * j;
  let sh = 4u * (s % 2u);
  return mat2x4<f32>(a * vec4<f32>(byte_fields(block_word(q), sh, 15u)) - b,
                     a * vec4<f32>(byte_fields(block_word(q + 1u), sh, 15u)) - b);
}

// Q5_K: 44 words per super-block {d, dmin | scales[12] | qh[32] | qs[128]}; bit s of qh[l] adds 16.
fn q5k_unit(G: u32, j: u32) -> mat2x4<f32> {
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

// The 4 bytes at even byte address `at` (q6k blocks are 210 bytes: only 2-byte aligned).
fn word_at(at: u32) -> u32 {
  let w0 = block_word(at / 4u);
  if ((at & 3u) == 0u) { return w0; }
  return (w0 >> 16u) | (block_word(at / 4u + 1u) << 16u);
}

fn byte_at(at: u32) -> u32 { return (block_word(at / 4u) >> (8u * (at & 3u))) & 255u; }

// The 16 bits at even byte address `at`, never reading past them.
fn half_at(at: u32) -> u32 { return (block_word(at / 4u) >> (8u * (at & 3u))) & 0xffffu; }

// Q6_K: 210 bytes per super-block {ql[128] | qh[64] | i8 scales[16] | f16 d}. Sub-block s is
// quarter t = s % 4 of half h = s / 4; its weight l: low 4 bits from ql[64h + 32(t % 2) + l]
// (high nibble when t >= 2), high 2 bits from bits 2t of qh[32h + l], scale per 16 weights.
fn q6k_unit(G: u32, j: u32) -> mat2x4<f32> {
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

// BF16: 16 words per group, element e in word e / 2, low half first; value bits = half << 16.
fn bf16_pair(u: u32) -> vec2<f32> { return vec2<f32>(bitcast<f32>(u << 16u), bitcast<f32>(u & 0xffff0000u)); }

fn bf16_unit(G: u32, j: u32) -> mat2x4<f32> {
  let wb = G * 16u + 4u * j;
  return mat2x4<f32>(vec4<f32>(bf16_pair(block_word(wb)), bf16_pair(block_word(wb + 1u))),
                     vec4<f32>(bf16_pair(block_word(wb + 2u)), bf16_pair(block_word(wb + 3u))));
}

// Weights 8j .. 8j + 7 of group G, decoded.
fn block_unit(G: u32, j: u32) -> mat2x4<f32> {
  switch (BLOCK_FORMAT) {
    case 0u: { return q4k_unit(G, j); }
    case 1u: { return q5k_unit(G, j); }
    case 2u: { return q6k_unit(G, j); }
    default: { return bf16_unit(G, j); }
  }
}
