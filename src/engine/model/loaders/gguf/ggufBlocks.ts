// ggml tensor types (ggml-common.h block structs) and their decoding: F32, F16, Q8_0
// {f16 d; i8 qs[32]}, Q4_0 {f16 d; u8 qs[16]} (low nibbles = elements 0..15, high = 16..31,
// value (q - 8) * d), the K-quants Q4_K, Q5_K, Q6_K over 256-element super-blocks, BF16, and
// Q4_1, Q5_0, Q5_1 (llama-quantize's fallbacks where rows are not whole super-blocks)
// (src/engine/defs/blockFormats.ts has their layouts and decoders, ggml-quants.c dequantize_row_*).
// Q8_0 and Q4_0 repack losslessly into the engine's q8/q4 format (src/engine/defs/quantFormat.ts); the
// K-quants and BF16 go to the GPU as they are (block formats).
import { halfToFloat } from '../../../defs/halfFloat';
import type { QuantizedMatrix } from '../../../defs/quantFormat';
import { decodeBlocks, type BlockFormat } from '../../../defs/blockFormats';
import type { StoredDtype } from '../types';

export interface GgmlType {
  dtype: StoredDtype;
  /** Elements per block and bytes per block. */
  blockElems: number;
  blockBytes: number;
  /** The block format the GPU reads this type in as it is stored, if any. */
  block?: BlockFormat;
}

export const GGML_TYPES: Record<number, GgmlType> = {
  0: { dtype: 'F32', blockElems: 1, blockBytes: 4 },
  1: { dtype: 'F16', blockElems: 1, blockBytes: 2 },
  2: { dtype: 'Q4_0', blockElems: 32, blockBytes: 18 },
  3: { dtype: 'Q4_1', blockElems: 32, blockBytes: 20, block: 'q4_1' },
  6: { dtype: 'Q5_0', blockElems: 32, blockBytes: 22, block: 'q5_0' },
  7: { dtype: 'Q5_1', blockElems: 32, blockBytes: 24, block: 'q5_1' },
  8: { dtype: 'Q8_0', blockElems: 32, blockBytes: 34 },
  12: { dtype: 'Q4_K', blockElems: 256, blockBytes: 144, block: 'q4k' },
  13: { dtype: 'Q5_K', blockElems: 256, blockBytes: 176, block: 'q5k' },
  14: { dtype: 'Q6_K', blockElems: 256, blockBytes: 210, block: 'q6k' },
  30: { dtype: 'BF16', blockElems: 1, blockBytes: 2, block: 'bf16' },
};

/** ggml_type ids of types this loader refuses, for messages. */
export const GGML_TYPE_NAMES: Record<number, string> = {
  9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K', 15: 'Q8_K',
  16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S',
  23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64', 29: 'IQ1_M',
  34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

export const SUPPORTED_GGML = ['F32', 'F16', 'Q8_0', 'Q4_0', 'Q4_K', 'Q6_K', 'Q5_K', 'BF16', 'Q4_1', 'Q5_0', 'Q5_1'] as const;

const half = (b: Uint8Array, i: number) => halfToFloat(b[i] | (b[i + 1] << 8));

/** Decodes `count` elements of `type` from `bytes` (starting at a block boundary) to f32. */
export function decodeGgml(type: GgmlType, bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks = count / type.blockElems;
  switch (type.dtype) {
    case 'F32':
      new Uint8Array(out.buffer).set(bytes.subarray(0, 4 * count));
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'Q8_0':
      for (let b = 0; b < blocks; b++) {
        const o = b * 34;
        const d = half(bytes, o);
        for (let j = 0; j < 32; j++) out[b * 32 + j] = Math.fround(view.getInt8(o + 2 + j) * d);
      }
      break;
    case 'Q4_0':
      for (let b = 0; b < blocks; b++) {
        const o = b * 18;
        const d = half(bytes, o);
        for (let j = 0; j < 16; j++) {
          const q = bytes[o + 2 + j];
          out[b * 32 + j] = Math.fround(((q & 0xf) - 8) * d);
          out[b * 32 + j + 16] = Math.fround(((q >> 4) - 8) * d);
        }
      }
      break;
    default:
      if (!type.block) throw new Error(`no decoder for ${type.dtype}`);
      return decodeBlocks(type.block, bytes, count);
  }
  return out;
}

/**
 * Q8_0 / Q4_0 blocks of a [rows, cols] matrix (cols innermost) in the engine's q8/q4 layout,
 * bit for bit: the same codes, scales widened f16 -> f32 (exact).
 */
export function repackGgml(type: GgmlType, bytes: Uint8Array, rows: number, cols: number): QuantizedMatrix {
  const groups = (rows * cols) / 32;
  const scales = new Float32Array(groups);
  if (type.dtype === 'Q8_0') {
    const data = new Uint32Array(groups * 8);
    const bytesOut = new Uint8Array(data.buffer);
    for (let g = 0; g < groups; g++) {
      scales[g] = half(bytes, g * 34);
      bytesOut.set(bytes.subarray(g * 34 + 2, g * 34 + 34), g * 32);
    }
    return { kind: 'q8', rows, cols, data, scales };
  }
  if (type.dtype !== 'Q4_0') throw new Error(`cannot repack ${type.dtype}`);
  const data = new Uint32Array(groups * 4);
  for (let g = 0; g < groups; g++) {
    const o = g * 18;
    scales[g] = half(bytes, o);
    for (let j = 0; j < 16; j++) {
      const q = bytes[o + 2 + j];
      // element j (low nibble) and element j + 16 (high nibble): column c -> word c >> 3, bits 4 (c & 7)
      data[g * 4 + (j >> 3)] |= (q & 0xf) << (4 * (j & 7));
      data[g * 4 + ((j + 16) >> 3)] |= (q >> 4) << (4 * (j & 7));
    }
  }
  return { kind: 'q4', rows, cols, data, scales };
}
