// The WGSL decoder of each block format (shaders/block_common.wgsl + block_<format>.wgsl),
// composed into the matmul and embedding shaders that read such weights.
import commonCode from '../../../../shaders/block_common.wgsl?raw';
import q4kCode from '../../../../shaders/block_q4k.wgsl?raw';
import q5kCode from '../../../../shaders/block_q5k.wgsl?raw';
import q6kCode from '../../../../shaders/block_q6k.wgsl?raw';
import bf16Code from '../../../../shaders/block_bf16.wgsl?raw';
import q41Code from '../../../../shaders/block_q4_1.wgsl?raw';
import q50Code from '../../../../shaders/block_q5_0.wgsl?raw';
import q51Code from '../../../../shaders/block_q5_1.wgsl?raw';
import type { BlockFormat } from '../../defs/blockFormats';

const DECODERS: Record<BlockFormat, string> = { q4k: q4kCode, q5k: q5kCode, q6k: q6kCode, bf16: bf16Code, q4_1: q41Code, q5_0: q50Code, q5_1: q51Code };

/** block_unit(G, j) for `format` and its helpers; the user defines block_word(i). */
export function blockDecoderCode(format: BlockFormat): string {
  return `${commonCode}\n${DECODERS[format]}`;
}
