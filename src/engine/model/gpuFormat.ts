// Which GPU format a stored tensor gets at a chosen precision, shared by the weight builder and
// the memory estimate. Quantized tensors are never quantized a second time when the engine has
// a kernel for their own layout: below f32, a Q4_K/Q5_K/Q6_K tensor stays in its super-blocks
// (requantizing to the group-32 q4 adds about as much error again as the file's own rounding),
// a Q4_1/Q5_0/Q5_1 tensor in its 32-weight blocks,
// and a BF16 tensor at f16 stays bf16 (the same 2 bytes, exact, and no overflow past 65504).
// f32 dequantizes everything (full-parameter tuning trains f32 buffers); q8/q4 of a BF16 or F16
// tensor quantize it as asked. Q8_0/Q4_0 keep their exact repack into q8/q4 (weights.ts).
import { blockMatrixProblem, type BlockFormat } from '../defs/blockFormats';
import type { StorageFormat, WeightFormat } from '../gpu/tensor';
import type { StoredDtype } from './loaders/types';

/** Quantized types kept in their own blocks below f32. */
const KEPT: Partial<Record<StoredDtype, BlockFormat>> = { Q4_K: 'q4k', Q5_K: 'q5k', Q6_K: 'q6k', Q4_1: 'q4_1', Q5_0: 'q5_0', Q5_1: 'q5_1' };

/**
 * `keepsBlocks`: the reader can hand over the stored blocks (CheckpointReader.readBlocks). A
 * matrix whose rows are not whole blocks of its format takes the precision's path.
 */
export function gpuFormatFor(precision: WeightFormat, stored: StoredDtype, cols: number, keepsBlocks: boolean): StorageFormat {
  if (precision === 'f32' || !keepsBlocks) return precision;
  const block = KEPT[stored] ?? (stored === 'BF16' && precision === 'f16' ? 'bf16' : null);
  return block && blockMatrixProblem(block, cols) === null ? block : precision;
}
