// Weights in the kernels' memory, in the same storage formats (and byte layouts) as on the GPU
// (src/engine/gpu/tensor.ts): a model loads once, in one layout, for either backend.
import { blockMatrixBytes, blockMatrixProblem, isBlockFormat } from '../defs/blockFormats';
import { GROUP } from '../defs/quantFormat';
import type { StorageFormat } from '../gpu/tensor';
import type { WasmBuffer } from './heap';

/** decode.ts FMT_* codes. */
export const FORMAT_CODE: Record<StorageFormat, number> = {
  f32: 0, f16: 1, q8: 2, q4: 3, bf16: 4, q4k: 5, q5k: 6, q6k: 7, q4_1: 8, q5_0: 9, q5_1: 10,
};

/** A [rows = out, cols = in] weight in the kernels' memory. */
export interface WasmWeight {
  format: StorageFormat;
  rows: number;
  cols: number;
  /** f32 values; f16/bf16 halves; q8/q4 packed codes (quantFormat.ts); block formats: the file's bytes. */
  data: WasmBuffer;
  /** q8/q4 only: [rows, cols / 32] f32 scales. */
  scales?: WasmBuffer;
}

/** Bytes of the data part of a weight (without q8/q4 scales). */
export function weightDataBytes(format: StorageFormat, rows: number, cols: number): number {
  if (isBlockFormat(format)) return blockMatrixBytes(format, rows, cols);
  const n = rows * cols;
  switch (format) {
    case 'f32': return n * 4;
    case 'f16': return n * 2;
    case 'q8': return n;
    case 'q4': return n / 2;
  }
}

/** Why a [rows, cols] weight cannot be multiplied in `format` by the wasm kernels, or null. */
export function weightShapeProblem(format: StorageFormat, cols: number): string | null {
  if (isBlockFormat(format)) return blockMatrixProblem(format, cols);
  if ((format === 'q8' || format === 'q4') && cols % GROUP !== 0) return `${cols} columns is not a multiple of ${GROUP} (${format} groups)`;
  return null;
}
