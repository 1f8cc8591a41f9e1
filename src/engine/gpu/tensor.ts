// How weights live on the GPU. A linear weight is [rows = out_features, cols = in_features]
// (PyTorch layout) in one of the storage formats: f32, f16, q8/q4 (src/engine/defs/quantFormat.ts),
// or a block format kept as a GGUF file stores it (q4k, q5k, q6k, bf16: defs/blockFormats.ts).
import { blockMatrixBytes, isBlockFormat, type BlockFormat } from '../defs/blockFormats';
import type { DeviceBuffer } from './device';

/** The formats any f32 matrix converts to (a model's precision). */
export type WeightFormat = 'f32' | 'f16' | 'q8' | 'q4';
/** How one weight is stored on the GPU: a WeightFormat, or a block format read from a file. */
export type StorageFormat = WeightFormat | BlockFormat;

export interface GpuWeight {
  format: StorageFormat;
  rows: number;
  cols: number;
  /** f32: rows*cols f32; f16: rows*cols f16 packed 2 per u32; q8/q4: packed codes; block formats: the file's bytes (padded to 4). */
  data: DeviceBuffer;
  /** q8/q4 only: [rows, cols/32] f32 scales. */
  scales?: DeviceBuffer;
  name: string;
}

/** Bytes a weight of this shape occupies on the GPU in `format` (codes + scales). */
export function weightBytes(format: StorageFormat, rows: number, cols: number): number {
  const n = rows * cols;
  if (isBlockFormat(format)) return Math.ceil(blockMatrixBytes(format, rows, cols) / 4) * 4;
  switch (format) {
    case 'f32':
      return n * 4;
    case 'f16':
      return n * 2;
    case 'q8':
      return n + (n / 32) * 4;
    case 'q4':
      return n / 2 + (n / 32) * 4;
  }
}
