// Group-wise weight quantization, the one format every q8/q4 kernel and loader shares.
// A weight matrix is [rows = out_features, cols = in_features] (PyTorch layout); groups are
// 32 consecutive columns of one row, with one f32 scale each.
//   q8: value = q * scale, q int8 in [-127, 127], scale = absmax / 127.
//       Packed 4 per u32, little-endian bytes: column c of a group in word c >> 2, byte c & 3.
//   q4: value = (q - 8) * scale, q in [0, 15] (llama.cpp Q4_0 rounding: scale = signed
//       extreme / -8). Packed 8 per u32: column c in word c >> 3, bits 4 * (c & 7).
// Scales are [rows, cols / 32] f32, row-major. cols must be a multiple of 32.

export const GROUP = 32;

export type QuantKind = 'q8' | 'q4';

export interface QuantizedMatrix {
  kind: QuantKind;
  rows: number;
  cols: number;
  /** Packed codes, row-major: q8 cols/4 words per row, q4 cols/8 words per row. */
  data: Uint32Array;
  /** [rows, cols / 32] */
  scales: Float32Array;
}

export function wordsPerRow(kind: QuantKind, cols: number): number {
  return kind === 'q8' ? cols / 4 : cols / 8;
}

export function quantize(kind: QuantKind, w: Float32Array, rows: number, cols: number): QuantizedMatrix {
  if (cols % GROUP !== 0) throw new Error(`cannot quantize: ${cols} columns is not a multiple of ${GROUP}`);
  if (w.length !== rows * cols) throw new Error(`cannot quantize: ${w.length} values for a ${rows}x${cols} matrix`);
  const groupsPerRow = cols / GROUP;
  const wpr = wordsPerRow(kind, cols);
  const data = new Uint32Array(rows * wpr);
  const scales = new Float32Array(rows * groupsPerRow);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groupsPerRow; g++) {
      const base = r * cols + g * GROUP;
      if (kind === 'q8') quantizeGroupQ8(w, base, data, r * wpr + g * 8, scales, r * groupsPerRow + g);
      else quantizeGroupQ4(w, base, data, r * wpr + g * 4, scales, r * groupsPerRow + g);
    }
  }
  return { kind, rows, cols, data, scales };
}

function quantizeGroupQ8(w: Float32Array, base: number, data: Uint32Array, word: number, scales: Float32Array, s: number): void {
  let amax = 0;
  for (let c = 0; c < GROUP; c++) amax = Math.max(amax, Math.abs(w[base + c]));
  const scale = Math.fround(amax / 127);
  scales[s] = scale;
  const inv = scale > 0 ? 1 / scale : 0;
  for (let c = 0; c < GROUP; c++) {
    const q = Math.max(-127, Math.min(127, Math.round(w[base + c] * inv)));
    data[word + (c >> 2)] |= (q & 0xff) << (8 * (c & 3));
  }
}

function quantizeGroupQ4(w: Float32Array, base: number, data: Uint32Array, word: number, scales: Float32Array, s: number): void {
  let extreme = 0;
  for (let c = 0; c < GROUP; c++) if (Math.abs(w[base + c]) > Math.abs(extreme)) extreme = w[base + c];
  const scale = Math.fround(extreme / -8);
  scales[s] = scale;
  const inv = scale !== 0 ? 1 / scale : 0;
  for (let c = 0; c < GROUP; c++) {
    const q = Math.max(0, Math.min(15, Math.trunc(w[base + c] * inv + 8.5)));
    data[word + (c >> 3)] |= q << (4 * (c & 7));
  }
}

/** Code of element (r, c) as a signed integer: q for q8, q - 8 for q4. */
export function quantCode(m: QuantizedMatrix, r: number, c: number): number {
  const wpr = wordsPerRow(m.kind, m.cols);
  if (m.kind === 'q8') {
    const byte = (m.data[r * wpr + (c >> 2)] >>> (8 * (c & 3))) & 0xff;
    return byte >= 128 ? byte - 256 : byte;
  }
  return ((m.data[r * wpr + (c >> 3)] >>> (4 * (c & 7))) & 0xf) - 8;
}

export function dequantize(m: QuantizedMatrix): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  const gpr = m.cols / GROUP;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      out[r * m.cols + c] = Math.fround(quantCode(m, r, c) * m.scales[r * gpr + (c >> 5)]);
    }
  }
  return out;
}
