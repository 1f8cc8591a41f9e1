// Writes safetensors (the format src/engine/model/loaders/safetensors.ts reads): 8-byte
// little-endian header length, JSON header padded with spaces to 8 bytes, then the data.
// Used for exports: PEFT LoRA adapters, sparse deltas, fully tuned weights, sparse masks.
import { InvalidFileError } from '../files/invalidFile';
import { bf16ToF32, f16ToF32 } from '../defs/halfFloat';
import { parseSafetensorsHeader, safetensorsHeaderLength } from './loaders/safetensorsHeader';

export type WritableDtype = 'F32' | 'I32' | 'U32';

export interface WritableTensor {
  name: string;
  dtype: WritableDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint32Array;
}

export function writeSafetensors(tensors: WritableTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor ${t.name}: shape [${t.shape}] holds ${count} values, data has ${t.data.length}`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export interface ReadTensor {
  /** The dtype stored in the file; F16 and BF16 come back widened to f32 (exact). */
  dtype: 'F32' | 'F16' | 'BF16' | 'I32' | 'U32';
  shape: number[];
  data: Float32Array | Int32Array | Uint32Array;
}

/**
 * Parses safetensors bytes held in memory (small files: adapters, sparse deltas, exports) into
 * typed arrays, with every header check of the checkpoint loader (safetensorsHeader.ts). Errors
 * are InvalidFileError naming `file`, the tensor and what was expected.
 */
export function readSafetensorsBytes(bytes: Uint8Array, file = 'safetensors file'): Map<string, ReadTensor> {
  const fail = (field: string, expected: string, found: string) => new InvalidFileError(file, field, expected, found);
  const n = safetensorsHeaderLength(bytes, bytes.byteLength, fail);
  const dataStart = 8 + n;
  const { entries } = parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.byteLength - dataStart, fail);
  const out = new Map<string, ReadTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    const slice = bytes.slice(dataStart + begin, dataStart + end);
    let data: ReadTensor['data'];
    if (dtype === 'F32') data = new Float32Array(slice.buffer);
    else if (dtype === 'I32') data = new Int32Array(slice.buffer);
    else if (dtype === 'U32') data = new Uint32Array(slice.buffer);
    else if (dtype === 'F16' || dtype === 'BF16') data = (dtype === 'F16' ? f16ToF32 : bf16ToF32)(new Uint16Array(slice.buffer));
    else throw fail(`tensor ${name} dtype`, 'F32, F16, BF16, I32 or U32', dtype);
    out.set(name, { dtype, shape, data });
  }
  return out;
}
