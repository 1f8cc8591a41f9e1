// Rows of a linear weight as f32, read from the weight's own storage format (the bytes the
// WebGPU backend uploads, unchanged): f32, f16, q8/q4 (defs/quantFormat.ts), and the block
// formats of a GGUF file (defs/blockFormats.ts). Decoded a row at a time, when a kernel runs, so
// weights keep their size in memory and full-mode training (which writes f32 buffers) is read live;
// views are taken per row, since the memory behind a buffer may have grown since.
import { GROUP } from '../../defs/quantFormat';
import { BLOCK_LAYOUT, decodeBlocks, isBlockFormat } from '../../defs/blockFormats';
import { halfToFloat } from '../../defs/halfFloat';
import type { GpuWeight } from '../../gpu/tensor';
import { cpuBuffer } from './buffer';

/** Half floats 0..65535 as f32: f16 rows decode by lookup. */
let halfTable: Float32Array | null = null;
function halves(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

export type RowReader = (row: number, out: Float32Array) => void;

/** A reader of row r of `w` into out[0, cols). */
export function weightRowReader(w: GpuWeight): RowReader {
  const data = cpuBuffer(w.data);
  const cols = w.cols;
  const format = w.format;
  if (format === 'f32') {
    return (r, out) => out.set(data.f32.subarray(r * cols, (r + 1) * cols));
  }
  if (format === 'f16') {
    const table = halves();
    return (r, out) => {
      const h = new Uint16Array(data.bytes.buffer, data.bytes.byteOffset, cols * w.rows);
      const base = r * cols;
      for (let c = 0; c < cols; c++) out[c] = table[h[base + c]];
    };
  }
  if (format === 'q8' || format === 'q4') {
    if (!w.scales) throw new Error(`weight ${w.name}: ${format} without scales`);
    const scaleBuffer = cpuBuffer(w.scales);
    const groups = cols / GROUP;
    if (format === 'q8') {
      const perRow = cols / 4;
      return (r, out) => {
        const words = data.u32;
        const scales = scaleBuffer.f32;
        for (let c = 0; c < cols; c++) {
          const byte = (words[r * perRow + (c >> 2)] >>> (8 * (c & 3))) & 0xff;
          out[c] = Math.fround((byte >= 128 ? byte - 256 : byte) * scales[r * groups + (c >> 5)]);
        }
      };
    }
    const perRow = cols / 8;
    return (r, out) => {
      const words = data.u32;
      const scales = scaleBuffer.f32;
      for (let c = 0; c < cols; c++) {
        const q = ((words[r * perRow + (c >> 3)] >>> (4 * (c & 7))) & 0xf) - 8;
        out[c] = Math.fround(q * scales[r * groups + (c >> 5)]);
      }
    };
  }
  if (isBlockFormat(format)) {
    const { elems, bytes } = BLOCK_LAYOUT[format];
    const rowBytes = (cols / elems) * bytes;
    return (r, out) => out.set(decodeBlocks(format, data.bytes.subarray(r * rowBytes, (r + 1) * rowBytes), cols));
  }
  throw new Error(`weight ${w.name}: no CPU reader for format ${String(format)}`);
}
