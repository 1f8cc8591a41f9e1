// Weight formats kept on the GPU exactly as a GGUF file stores them (no requantization), and
// their CPU decoders: the yardstick for shaders/matmul_blocks.wgsl and the embedding gather.
// A [rows, cols] matrix is rows of whole blocks, byte for byte as in ggml-common.h:
//   q4k  Q4_K, 256 weights in 144 bytes: {f16 d; f16 dmin; u8 scales[12]; u8 qs[128]}.
//        Sub-block s (32 weights) has a 6-bit scale sc[s] and min m[s] (get_scale_min_k4);
//        weight 32s + l = d*sc[s] * q - dmin*m[s], q the low (s even) or high (s odd) nibble
//        of qs[32 * (s >> 1) + l].
//   q5k  Q5_K, 256 weights in 176 bytes: {f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}:
//        as q4k with a fifth bit, bit s of qh[l], worth 16.
//   q6k  Q6_K, 256 weights in 210 bytes: {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}: one
//        int8 scale per 16 weights, weight = d*sc * (q - 32), q 6-bit (see decodeQ6K).
//   bf16 one bfloat16 per weight, two per u32 word (element e in word e >> 1, low half first).
//   q4_1 Q4_1, 32 weights in 20 bytes: {f16 d; f16 m; u8 qs[16]}: weight j = d * q + m, q the low
//        nibble of qs[j] (j < 16) or the high nibble of qs[j - 16].
//   q5_0 Q5_0, 32 weights in 22 bytes: {f16 d; u8 qh[4]; u8 qs[16]}: weight = d * (q - 16), q as
//        q4_1's nibble plus bit j of the little-endian u32 qh, worth 16.
//   q5_1 Q5_1, 32 weights in 24 bytes: {f16 d; f16 m; u8 qh[4]; u8 qs[16]}: d * q + m, q as q5_0's.
// llama-quantize writes the last three where a row is not whole 256-weight super-blocks.
// Blocks are only 2-byte aligned for q6k (210 bytes) and q5_0 (22); the GPU reads u32 words.
import { halfToFloat } from './halfFloat';

export type BlockFormat = 'q4k' | 'q5k' | 'q6k' | 'bf16' | 'q4_1' | 'q5_0' | 'q5_1';

export const BLOCK_FORMATS: readonly BlockFormat[] = ['q4k', 'q5k', 'q6k', 'bf16', 'q4_1', 'q5_0', 'q5_1'];

/** Weights per block and bytes per block. */
export const BLOCK_LAYOUT: Record<BlockFormat, { elems: number; bytes: number }> = {
  q4k: { elems: 256, bytes: 144 },
  q5k: { elems: 256, bytes: 176 },
  q6k: { elems: 256, bytes: 210 },
  bf16: { elems: 1, bytes: 2 },
  q4_1: { elems: 32, bytes: 20 },
  q5_0: { elems: 32, bytes: 22 },
  q5_1: { elems: 32, bytes: 24 },
};

/** A matrix in one of the block formats: `bytes` is rows * cols / elems blocks, row-major. */
export interface BlockMatrix {
  format: BlockFormat;
  rows: number;
  cols: number;
  bytes: Uint8Array;
}

export function isBlockFormat(f: string): f is BlockFormat {
  return (BLOCK_FORMATS as readonly string[]).includes(f);
}

/** Bytes of a [rows, cols] matrix; cols must be whole blocks (blockMatrixProblem). */
export function blockMatrixBytes(format: BlockFormat, rows: number, cols: number): number {
  const { elems, bytes } = BLOCK_LAYOUT[format];
  return (rows * cols / elems) * bytes;
}

/** Why a [rows, cols] matrix cannot be stored in `format`, or null. */
export function blockMatrixProblem(format: BlockFormat, cols: number): string | null {
  const minCols = Math.max(32, BLOCK_LAYOUT[format].elems);
  if (cols % minCols !== 0) return `${cols} columns is not a multiple of ${minCols} (${format} rows are whole ${minCols === 32 ? '32-weight groups' : '256-weight super-blocks'})`;
  return null;
}

const half = (b: Uint8Array, i: number) => halfToFloat(b[i] | (b[i + 1] << 8));

/** ggml get_scale_min_k4: 6-bit scale and min of sub-block j from the 12 packed bytes at o. */
export function scaleMinK4(j: number, s: Uint8Array, o: number): [number, number] {
  if (j < 4) return [s[o + j] & 63, s[o + j + 4] & 63];
  return [(s[o + j + 4] & 0xf) | ((s[o + j - 4] >> 6) << 4), (s[o + j + 4] >> 4) | ((s[o + j] >> 6) << 4)];
}

/** ggml dequantize_row_q4_K for the block at byte o, into out[y ..y + 256]. */
export function decodeQ4K(b: Uint8Array, o: number, out: Float32Array, y: number): void {
  const d = half(b, o);
  const dmin = half(b, o + 2);
  let q = o + 16;
  for (let j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
    const [sc1, m1] = scaleMinK4(is, b, o + 4);
    const [sc2, m2] = scaleMinK4(is + 1, b, o + 4);
    const d1 = Math.fround(d * sc1), min1 = Math.fround(dmin * m1);
    const d2 = Math.fround(d * sc2), min2 = Math.fround(dmin * m2);
    for (let l = 0; l < 32; l++) out[y + j + l] = Math.fround(Math.fround(d1 * (b[q + l] & 0xf)) - min1);
    for (let l = 0; l < 32; l++) out[y + j + 32 + l] = Math.fround(Math.fround(d2 * (b[q + l] >> 4)) - min2);
  }
}

/** ggml dequantize_row_q5_K for the block at byte o. */
export function decodeQ5K(b: Uint8Array, o: number, out: Float32Array, y: number): void {
  const d = half(b, o);
  const dmin = half(b, o + 2);
  const qh = o + 16;
  let ql = o + 48;
  for (let j = 0, is = 0, u1 = 1, u2 = 2; j < 256; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
    const [sc1, m1] = scaleMinK4(is, b, o + 4);
    const [sc2, m2] = scaleMinK4(is + 1, b, o + 4);
    const d1 = Math.fround(d * sc1), min1 = Math.fround(dmin * m1);
    const d2 = Math.fround(d * sc2), min2 = Math.fround(dmin * m2);
    for (let l = 0; l < 32; l++) out[y + j + l] = Math.fround(Math.fround(d1 * ((b[ql + l] & 0xf) + (b[qh + l] & u1 ? 16 : 0))) - min1);
    for (let l = 0; l < 32; l++) out[y + j + 32 + l] = Math.fround(Math.fround(d2 * ((b[ql + l] >> 4) + (b[qh + l] & u2 ? 16 : 0))) - min2);
  }
}

/** ggml dequantize_row_q6_K for the block at byte o. */
export function decodeQ6K(b: Uint8Array, o: number, out: Float32Array, y: number): void {
  const d = half(b, o + 208);
  const sc = (i: number) => (b[i] << 24) >> 24; // int8
  for (let n = 0; n < 2; n++) {
    const ql = o + 64 * n, qh = o + 128 + 32 * n, s = o + 192 + 8 * n, base = y + 128 * n;
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const h = b[qh + l];
      const q1 = ((b[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
      const q2 = ((b[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
      const q3 = ((b[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
      const q4 = ((b[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
      out[base + l] = Math.fround(Math.fround(d * sc(s + is)) * q1);
      out[base + l + 32] = Math.fround(Math.fround(d * sc(s + is + 2)) * q2);
      out[base + l + 64] = Math.fround(Math.fround(d * sc(s + is + 4)) * q3);
      out[base + l + 96] = Math.fround(Math.fround(d * sc(s + is + 6)) * q4);
    }
  }
}

/** ggml dequantize_row_q4_1 / q5_0 / q5_1 for the 32-weight block at byte o. */
export function decodeQ4_1(b: Uint8Array, o: number, out: Float32Array, y: number): void {
  const d = half(b, o), m = half(b, o + 2);
  for (let j = 0; j < 16; j++) {
    out[y + j] = Math.fround(Math.fround((b[o + 4 + j] & 0xf) * d) + m);
    out[y + j + 16] = Math.fround(Math.fround((b[o + 4 + j] >> 4) * d) + m);
  }
}

export function decodeQ5_0(b: Uint8Array, o: number, out: Float32Array, y: number): void {
  const d = half(b, o);
  const qh = (b[o + 2] | (b[o + 3] << 8) | (b[o + 4] << 16) | (b[o + 5] << 24)) >>> 0;
  for (let j = 0; j < 16; j++) {
    const x0 = ((b[o + 6 + j] & 0xf) | (((qh >>> j) << 4) & 0x10)) - 16;
    const x1 = ((b[o + 6 + j] >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
    out[y + j] = Math.fround(x0 * d);
    out[y + j + 16] = Math.fround(x1 * d);
  }
}

export function decodeQ5_1(b: Uint8Array, o: number, out: Float32Array, y: number): void {
  const d = half(b, o), m = half(b, o + 2);
  const qh = (b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) >>> 0;
  for (let j = 0; j < 16; j++) {
    const x0 = (b[o + 8 + j] & 0xf) | (((qh >>> j) << 4) & 0x10);
    const x1 = (b[o + 8 + j] >> 4) | ((qh >>> (j + 12)) & 0x10);
    out[y + j] = Math.fround(Math.fround(x0 * d) + m);
    out[y + j + 16] = Math.fround(Math.fround(x1 * d) + m);
  }
}

const DECODERS: Record<Exclude<BlockFormat, 'bf16'>, (b: Uint8Array, o: number, out: Float32Array, y: number) => void> = {
  q4k: decodeQ4K, q5k: decodeQ5K, q6k: decodeQ6K, q4_1: decodeQ4_1, q5_0: decodeQ5_0, q5_1: decodeQ5_1,
};

/** The first `count` weights of `bytes` (whole blocks) as f32: what the GPU kernels multiply by. */
export function decodeBlocks(format: BlockFormat, bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const { elems, bytes: size } = BLOCK_LAYOUT[format];
  if (format === 'bf16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
    return out;
  }
  const decode = DECODERS[format];
  for (let blk = 0; blk < count / elems; blk++) decode(bytes, blk * size, out, blk * elems);
  return out;
}

/** The whole matrix as f32 [rows, cols]. */
export function dequantizeBlocks(m: BlockMatrix): Float32Array {
  return decodeBlocks(m.format, m.bytes, m.rows * m.cols);
}
