// Uploading linear weights [rows = out, cols = in] to the GPU in each storage format
// (f32, f16 packed 2 per u32, q8/q4 in the group-wise format of src/engine/defs/quantFormat.ts), and
// matrices in a block format (q4k, q5k, q6k, bf16) uploaded as the file stores them.
import { quantize, wordsPerRow, GROUP, type QuantizedMatrix } from '../defs/quantFormat';
import { blockMatrixBytes, blockMatrixProblem, isBlockFormat, type BlockMatrix } from '../defs/blockFormats';
import { f32ToF16 } from '../defs/halfFloat';
import type { Backend } from './backend';
import type { MemoryCategory } from './ledger';
import { weightBytes, type GpuWeight, type StorageFormat, type WeightFormat } from './tensor';

/**
 * The formats any f32 matrix converts to, all of them on every adapter: f16 uses native half
 * loads where the device has shader-f16 and unpack2x16float otherwise, so storage (and
 * bandwidth) is halved either way. Block formats come only from files (uploadBlocks).
 */
export function supportedFormats(_ctx: Backend): WeightFormat[] {
  return ['f32', 'f16', 'q8', 'q4'];
}

/** Upload `values` ([rows, cols], row-major f32) converted to `format`. */
export function uploadWeight(
  ctx: Backend,
  name: string,
  values: Float32Array,
  rows: number,
  cols: number,
  format: WeightFormat,
  category: MemoryCategory,
): GpuWeight {
  checkShape(ctx, name, rows, cols, format);
  if (values.length !== rows * cols) throw new Error(`weight ${name}: ${values.length} values for a ${rows}x${cols} matrix`);
  switch (format) {
    case 'f32':
      return { format, rows, cols, name, data: ctx.storageFrom(name, values, category) };
    case 'f16': {
      const halves = f32ToF16(values); // rows*cols is even (cols % 32 == 0): 2 halves per u32
      return { format, rows, cols, name, data: ctx.storageFrom(name, halves, category) };
    }
    case 'q8':
    case 'q4':
      return uploadQuantized(ctx, name, quantize(format, values, rows, cols), category);
  }
}

/** Upload a matrix in a block format byte for byte (the buffer is padded to whole u32 words). */
export function uploadBlocks(ctx: Backend, name: string, m: BlockMatrix, category: MemoryCategory): GpuWeight {
  checkShape(ctx, name, m.rows, m.cols, m.format);
  const problem = blockMatrixProblem(m.format, m.cols);
  if (problem) throw new Error(`weight ${name}: ${problem}`);
  const size = blockMatrixBytes(m.format, m.rows, m.cols);
  if (m.bytes.byteLength !== size) throw new Error(`weight ${name}: ${m.bytes.byteLength} bytes for a ${m.rows}x${m.cols} ${m.format} matrix (needs ${size})`);
  const padded = new Uint8Array(weightBytes(m.format, m.rows, m.cols));
  padded.set(m.bytes);
  return { format: m.format, rows: m.rows, cols: m.cols, name, data: ctx.storageFrom(name, padded, category) };
}

/** Upload an already quantized matrix (from quantize() or a GGUF loader) as it is. */
export function uploadQuantized(ctx: Backend, name: string, q: QuantizedMatrix, category: MemoryCategory): GpuWeight {
  checkShape(ctx, name, q.rows, q.cols, q.kind);
  if (q.data.length !== q.rows * wordsPerRow(q.kind, q.cols)) throw new Error(`weight ${name}: ${q.data.length} code words for a ${q.rows}x${q.cols} ${q.kind} matrix`);
  if (q.scales.length !== (q.rows * q.cols) / GROUP) throw new Error(`weight ${name}: ${q.scales.length} scales for a ${q.rows}x${q.cols} matrix`);
  return {
    format: q.kind,
    rows: q.rows,
    cols: q.cols,
    name,
    data: ctx.storageFrom(name, q.data, category),
    scales: ctx.storageFrom(`${name}.scales`, q.scales, category),
  };
}

function checkShape(ctx: Backend, name: string, rows: number, cols: number, format: StorageFormat): void {
  if (!(rows > 0 && cols > 0 && Number.isInteger(rows) && Number.isInteger(cols))) throw new Error(`weight ${name}: bad shape ${rows}x${cols}`);
  if (cols % GROUP !== 0) throw new Error(`weight ${name}: ${cols} columns is not a multiple of ${GROUP}`);
  const bytes = isBlockFormat(format) ? weightBytes(format, rows, cols) : rows * cols * ({ f32: 4, f16: 2, q8: 1, q4: 0.5 } as const)[format];
  if (bytes > ctx.limits.maxStorageBufferBindingSize) {
    throw new Error(
      `weight ${name} (${rows}x${cols} ${format}, ${bytes} bytes) exceeds this adapter's maxStorageBufferBindingSize ` +
        `(${ctx.limits.maxStorageBufferBindingSize} bytes); use a smaller format (q8 or q4) or a more compressed file`,
    );
  }
}
