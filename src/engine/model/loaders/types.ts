// The contract between checkpoint readers (safetensors, GGUF) and the model builder:
// tensors are read one at a time, so a multi-GB checkpoint never sits in JavaScript memory.
import type { QuantizedMatrix } from '../../defs/quantFormat';
import type { BlockMatrix } from '../../defs/blockFormats';

export type StoredDtype = 'F32' | 'F16' | 'BF16' | 'Q8_0' | 'Q4_0' | 'Q4_K' | 'Q5_K' | 'Q6_K' | 'Q4_1' | 'Q5_0' | 'Q5_1';

export interface TensorInfo {
  name: string;
  /** Hugging Face shape, e.g. [out_features, in_features] for a linear weight. */
  shape: number[];
  dtype: StoredDtype;
  byteLength: number;
}

export interface CheckpointReader {
  /** The Hugging Face config.json object (GGUF metadata is translated to it). */
  readonly config: Record<string, unknown>;
  /** Tensors under their Hugging Face names (GGUF names are translated). */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** The tensor as f32 in Hugging Face layout (dequantized if stored quantized). */
  readF32(name: string): Promise<Float32Array>;
  /**
   * The tensor already in the engine's q8/q4 format when it is stored that way (GGUF
   * Q8_0/Q4_0), so it is not dequantized and requantized; null otherwise.
   */
  readQuantized?(name: string): Promise<QuantizedMatrix | null>;
  /**
   * The tensor's stored bytes when it is stored in a block format the GPU reads as it is
   * (GGUF Q4_K, Q5_K, Q6_K, BF16), rows in Hugging Face order; null otherwise.
   */
  readBlocks?(name: string): Promise<BlockMatrix | null>;
  close?(): Promise<void>;
}
