// Weight decoders: rows of a [rows, cols] weight in any storage format the GPU keeps
// (src/engine/gpu/tensor.ts, defs/quantFormat.ts, defs/blockFormats.ts) to f32, with the same
// f32 roundings as the TypeScript decoders, so a decoded weight is bit for bit the one the
// CPU reference multiplies by. The matmuls decode a panel of rows into scratch and multiply it
// (matmul.ts); embedding decodes single rows.

export const FMT_F32: i32 = 0;
export const FMT_F16: i32 = 1;
export const FMT_Q8: i32 = 2;
export const FMT_Q4: i32 = 3;
export const FMT_BF16: i32 = 4;
export const FMT_Q4K: i32 = 5;
export const FMT_Q5K: i32 = 6;
export const FMT_Q6K: i32 = 7;
export const FMT_Q4_1: i32 = 8;
export const FMT_Q5_0: i32 = 9;
export const FMT_Q5_1: i32 = 10;

/** IEEE half bits to f32 (exact): the half's bits moved into an f32 and rescaled by 2^112. */
@inline export function halfToF32(h: u32): f32 {
  const bits = (h & 0x7fff) << 13;
  let v = reinterpret<f32>(bits) * 5.192296858534828e33; // 2^112
  if ((h & 0x7c00) == 0x7c00) v = reinterpret<f32>(bits | 0x7f800000);
  return (h & 0x8000) ? -v : v;
}

@inline function half(p: usize): f32 {
  return halfToF32(<u32>load<u16>(p));
}

/** Byte offset of row `row` in a weight of `cols` columns, and of its q8/q4 scales. */
export function rowBytes(fmt: i32, cols: i32): usize {
  const c = <usize>cols;
  switch (fmt) {
    case FMT_F32: return c * 4;
    case FMT_F16: return c * 2;
    case FMT_BF16: return c * 2;
    case FMT_Q8: return c;
    case FMT_Q4: return c >> 1;
    case FMT_Q4K: return (c >> 8) * 144;
    case FMT_Q5K: return (c >> 8) * 176;
    case FMT_Q6K: return (c >> 8) * 210;
    case FMT_Q4_1: return (c >> 5) * 20;
    case FMT_Q5_0: return (c >> 5) * 22;
    case FMT_Q5_1: return (c >> 5) * 24;
  }
  return 0;
}

// 4 halves (zero-extended in i32 lanes) to f32, exactly: the half's magnitude bits moved into
// an f32 and rescaled by 2^112 (normals and subnormals alike), the sign put back; a lane with an
// all-ones exponent (inf, NaN: rare in weights, so tested with any_true) gets an all-ones exponent.
@inline export function halvesToF32(hw: v128): v128 {
  const bits = i32x4.shl(v128.and(hw, i32x4.splat(0x7fff)), 13);
  let v = f32x4.mul(bits, f32x4.splat(5.192296858534828e33));
  const special = i32x4.ge_u(bits, i32x4.splat(0x0f800000));
  if (v128.any_true(special)) v = v128.bitselect(v128.or(bits, i32x4.splat(0x7f800000)), v, special);
  return v128.or(v, i32x4.shl(v128.and(hw, i32x4.splat(0x8000)), 16));
}

// f16: 8 halves at a time.
function decodeF16(src: usize, out: usize, cols: i32): void {
  let c = 0;
  for (; c + 8 <= cols; c += 8) {
    const h = v128.load(src + (<usize>c << 1));
    const o = out + (<usize>c << 2);
    v128.store(o, halvesToF32(i32x4.extend_low_i16x8_u(h)));
    v128.store(o, halvesToF32(i32x4.extend_high_i16x8_u(h)), 16);
  }
  for (; c < cols; c++) store<f32>(out + (<usize>c << 2), half(src + (<usize>c << 1)));
}

function decodeBf16(src: usize, out: usize, cols: i32): void {
  let c = 0;
  for (; c + 8 <= cols; c += 8) {
    const h = v128.load(src + (<usize>c << 1));
    v128.store(out + (<usize>c << 2), i32x4.shl(i32x4.extend_low_i16x8_u(h), 16));
    v128.store(out + (<usize>c << 2), i32x4.shl(i32x4.extend_high_i16x8_u(h), 16), 16);
  }
  for (; c < cols; c++) store<u32>(out + (<usize>c << 2), (<u32>load<u16>(src + (<usize>c << 1))) << 16);
}

// 16 signed bytes times one scale, into 16 floats at out.
@inline function storeScaledI8x16(q: v128, s: v128, out: usize): void {
  const lo = i16x8.extend_low_i8x16_s(q);
  const hi = i16x8.extend_high_i8x16_s(q);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), s));
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), s), 16);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), s), 32);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), s), 48);
}

// q8: 32 int8 codes per group (byte c of the group = column c), one f32 scale.
function decodeQ8(src: usize, scales: usize, out: usize, cols: i32): void {
  for (let g = 0; g < cols >> 5; g++) {
    const s = v128.load32_splat(scales + (<usize>g << 2));
    const p = src + (<usize>g << 5);
    const o = out + (<usize>g << 7);
    storeScaledI8x16(v128.load(p), s, o);
    storeScaledI8x16(v128.load(p, 16), s, o + 64);
  }
}

// q4: 32 nibbles per group, column c in byte c >> 1 (low nibble for even c), value (q - 8) * scale.
function decodeQ4(src: usize, scales: usize, out: usize, cols: i32): void {
  const low = i8x16.splat(0x0f);
  const eight = i8x16.splat(8);
  for (let g = 0; g < cols >> 5; g++) {
    const s = v128.load32_splat(scales + (<usize>g << 2));
    const b = v128.load(src + (<usize>g << 4));
    const lo = v128.and(b, low);
    const hi = i8x16.shr_u(b, 4);
    const first = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const second = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const o = out + (<usize>g << 7);
    storeScaledI8x16(i8x16.sub(first, eight), s, o);
    storeScaledI8x16(i8x16.sub(second, eight), s, o + 64);
  }
}

// ggml get_scale_min_k4: sub-block j's 6-bit scale (low 8 bits of the result) and min (next 8).
@inline function scaleMinK4(j: i32, s: usize): u32 {
  if (j < 4) return (<u32>load<u8>(s + j) & 63) | ((<u32>load<u8>(s + j + 4) & 63) << 8);
  const sc = (<u32>load<u8>(s + j + 4) & 0xf) | ((<u32>load<u8>(s + j - 4) >> 6) << 4);
  const m = (<u32>load<u8>(s + j + 4) >> 4) | ((<u32>load<u8>(s + j) >> 6) << 4);
  return sc | (m << 8);
}

// 16 unsigned bytes (values < 128) times d, minus m, into 16 floats at out: d * q - m per lane.
@inline function storeAffineU8x16(q: v128, d: v128, m: v128, out: usize): void {
  const lo = i16x8.extend_low_i8x16_u(q);
  const hi = i16x8.extend_high_i8x16_u(q);
  v128.store(out, f32x4.sub(f32x4.mul(d, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo))), m));
  v128.store(out, f32x4.sub(f32x4.mul(d, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo))), m), 16);
  v128.store(out, f32x4.sub(f32x4.mul(d, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi))), m), 32);
  v128.store(out, f32x4.sub(f32x4.mul(d, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi))), m), 48);
}

// Q4_K: sub-block pairs share 32 bytes, low nibbles the first 32 weights, high nibbles the next.
function decodeQ4K(src: usize, out: usize, cols: i32): void {
  const low = i8x16.splat(0x0f);
  for (let blk = 0; blk < cols >> 8; blk++) {
    const o = src + <usize>blk * 144;
    const y = out + (<usize>blk << 10);
    const d = half(o);
    const dmin = half(o + 2);
    let q = o + 16;
    for (let j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
      const sm1 = scaleMinK4(is, o + 4);
      const sm2 = scaleMinK4(is + 1, o + 4);
      const d1 = f32x4.splat(d * <f32>(sm1 & 0xff)), min1 = f32x4.splat(dmin * <f32>(sm1 >> 8));
      const d2 = f32x4.splat(d * <f32>(sm2 & 0xff)), min2 = f32x4.splat(dmin * <f32>(sm2 >> 8));
      const yj = y + (<usize>j << 2);
      for (let l = 0; l < 32; l += 16) {
        const b = v128.load(q + l);
        storeAffineU8x16(v128.and(b, low), d1, min1, yj + (<usize>l << 2));
        storeAffineU8x16(i8x16.shr_u(b, 4), d2, min2, yj + 128 + (<usize>l << 2));
      }
    }
  }
}

// Q5_K: as Q4_K with a fifth bit from qh (bit 2i of qh[l] for the pair's first sub-block, 2i+1
// for its second), worth 16.
function decodeQ5K(src: usize, out: usize, cols: i32): void {
  const low = i8x16.splat(0x0f), sixteen = i8x16.splat(16), zero = i8x16.splat(0);
  for (let blk = 0; blk < cols >> 8; blk++) {
    const o = src + <usize>blk * 176;
    const y = out + (<usize>blk << 10);
    const d = half(o);
    const dmin = half(o + 2);
    const qh = o + 16;
    let ql = o + 48;
    let u1: i32 = 1, u2: i32 = 2;
    for (let j = 0, is = 0; j < 256; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
      const sm1 = scaleMinK4(is, o + 4);
      const sm2 = scaleMinK4(is + 1, o + 4);
      const d1 = f32x4.splat(d * <f32>(sm1 & 0xff)), min1 = f32x4.splat(dmin * <f32>(sm1 >> 8));
      const d2 = f32x4.splat(d * <f32>(sm2 & 0xff)), min2 = f32x4.splat(dmin * <f32>(sm2 >> 8));
      const m1 = i8x16.splat(<i8>u1), m2 = i8x16.splat(<i8>u2);
      const yj = y + (<usize>j << 2);
      for (let l = 0; l < 32; l += 16) {
        const b = v128.load(ql + l), h = v128.load(qh + l);
        const hi1 = v128.and(v128.not(i8x16.eq(v128.and(h, m1), zero)), sixteen);
        const hi2 = v128.and(v128.not(i8x16.eq(v128.and(h, m2), zero)), sixteen);
        storeAffineU8x16(v128.or(v128.and(b, low), hi1), d1, min1, yj + (<usize>l << 2));
        storeAffineU8x16(v128.or(i8x16.shr_u(b, 4), hi2), d2, min2, yj + 128 + (<usize>l << 2));
      }
    }
  }
}

// Q6_K: 4 runs of 32 weights per half-block, each run l = 0..31 built from contiguous bytes of
// ql and qh, so 16 weights at a time: 6-bit q - 32 times d * scale (one int8 scale per 16).
function decodeQ6K(src: usize, out: usize, cols: i32): void {
  const low = i8x16.splat(0x0f);
  const three = i8x16.splat(3);
  const bias = i8x16.splat(32);
  for (let blk = 0; blk < cols >> 8; blk++) {
    const o = src + <usize>blk * 210;
    const yb = out + (<usize>blk << 10);
    const d = half(o + 208);
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n, qh = o + 128 + 32 * n, s = o + 192 + 8 * n, y = yb + (<usize>(128 * n) << 2);
      for (let l = 0; l < 32; l += 16) {
        const is = l >> 4;
        const a = v128.load(ql + l), b = v128.load(ql + l + 32), h = v128.load(qh + l);
        const q1 = i8x16.sub(v128.or(v128.and(a, low), i8x16.shl(v128.and(h, three), 4)), bias);
        const q2 = i8x16.sub(v128.or(v128.and(b, low), i8x16.shl(v128.and(i8x16.shr_u(h, 2), three), 4)), bias);
        const q3 = i8x16.sub(v128.or(i8x16.shr_u(a, 4), i8x16.shl(v128.and(i8x16.shr_u(h, 4), three), 4)), bias);
        const q4 = i8x16.sub(v128.or(i8x16.shr_u(b, 4), i8x16.shl(i8x16.shr_u(h, 6), 4)), bias);
        const yl = y + (<usize>l << 2);
        storeScaledI8x16(q1, f32x4.splat(d * <f32>load<i8>(s + is)), yl);
        storeScaledI8x16(q2, f32x4.splat(d * <f32>load<i8>(s + is + 2)), yl + 128);
        storeScaledI8x16(q3, f32x4.splat(d * <f32>load<i8>(s + is + 4)), yl + 256);
        storeScaledI8x16(q4, f32x4.splat(d * <f32>load<i8>(s + is + 6)), yl + 384);
      }
    }
  }
}

// Q4_1 / Q5_0 / Q5_1: 32-weight blocks (ggml dequantize_row_q4_1 / q5_0 / q5_1).
function decodeSmallBlocks(fmt: i32, src: usize, out: usize, cols: i32): void {
  const size: usize = fmt == FMT_Q4_1 ? 20 : fmt == FMT_Q5_0 ? 22 : 24;
  for (let blk = 0; blk < cols >> 5; blk++) {
    const o = src + <usize>blk * size;
    const y = out + (<usize>blk << 7);
    const d = half(o);
    if (fmt == FMT_Q4_1) {
      const m = half(o + 2);
      for (let j = 0; j < 16; j++) {
        const b = <u32>load<u8>(o + 4 + j);
        store<f32>(y + (<usize>j << 2), <f32>(b & 0xf) * d + m);
        store<f32>(y + (<usize>(j + 16) << 2), <f32>(b >> 4) * d + m);
      }
    } else {
      const m: f32 = fmt == FMT_Q5_1 ? half(o + 2) : 0;
      const qhAt = fmt == FMT_Q5_1 ? o + 4 : o + 2;
      const qs = qhAt + 4;
      const qh = <u32>load<u8>(qhAt) | (<u32>load<u8>(qhAt + 1) << 8) | (<u32>load<u8>(qhAt + 2) << 16) | (<u32>load<u8>(qhAt + 3) << 24);
      for (let j = 0; j < 16; j++) {
        const b = <u32>load<u8>(qs + j);
        const x0 = <i32>((b & 0xf) | (((qh >> j) << 4) & 0x10));
        const x1 = <i32>((b >> 4) | ((qh >> (j + 12)) & 0x10));
        if (fmt == FMT_Q5_0) {
          store<f32>(y + (<usize>j << 2), <f32>(x0 - 16) * d);
          store<f32>(y + (<usize>(j + 16) << 2), <f32>(x1 - 16) * d);
        } else {
          store<f32>(y + (<usize>j << 2), <f32>x0 * d + m);
          store<f32>(y + (<usize>(j + 16) << 2), <f32>x1 * d + m);
        }
      }
    }
  }
}

/**
 * Rows [row0, row0 + count) of a weight with `cols` columns into count * cols f32 at out.
 * data: the codes (or f32/f16/bf16 values, or the file's blocks); scales: q8/q4 group scales.
 */
export function decode_rows(fmt: i32, data: usize, scales: usize, row0: i32, count: i32, cols: i32, out: usize): void {
  const rb = rowBytes(fmt, cols);
  const groups = <usize>(cols >> 5);
  for (let r = 0; r < count; r++) {
    const row = <usize>(row0 + r);
    const src = data + row * rb;
    const dst = out + ((<usize>r * <usize>cols) << 2);
    switch (fmt) {
      case FMT_F32: memory.copy(dst, src, <usize>cols << 2); break;
      case FMT_F16: decodeF16(src, dst, cols); break;
      case FMT_BF16: decodeBf16(src, dst, cols); break;
      case FMT_Q8: decodeQ8(src, scales + ((row * groups) << 2), dst, cols); break;
      case FMT_Q4: decodeQ4(src, scales + ((row * groups) << 2), dst, cols); break;
      case FMT_Q4K: decodeQ4K(src, dst, cols); break;
      case FMT_Q5K: decodeQ5K(src, dst, cols); break;
      case FMT_Q6K: decodeQ6K(src, dst, cols); break;
      default: decodeSmallBlocks(fmt, src, dst, cols);
    }
  }
}
