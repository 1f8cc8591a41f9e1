// How weights live on the GPU. A linear weight is [rows = out_features, cols = in_features]
// (PyTorch layout) in one of four storage formats; see src/engine/defs/quantFormat.ts for q8/q4.
export type WeightFormat = 'f32' | 'f16' | 'q8' | 'q4';

export interface GpuWeight {
  format: WeightFormat;
  rows: number;
  cols: number;
  /** f32: rows*cols f32; f16: rows*cols f16 packed 2 per u32; q8/q4: packed codes. */
  data: GPUBuffer;
  /** q8/q4 only: [rows, cols/32] f32 scales. */
  scales?: GPUBuffer;
  name: string;
}

/** Bytes a weight of this shape occupies on the GPU in `format` (codes + scales). */
export function weightBytes(format: WeightFormat, rows: number, cols: number): number {
  const n = rows * cols;
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
