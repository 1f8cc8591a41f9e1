// safetensors (huggingface/safetensors, "format" in its README): 8-byte little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?},
// then the raw little-endian data; offsets are relative to the end of the header.
// Tensors are read one range at a time; the header is validated before any tensor is read.
import type { ByteSource } from './byteSource';
import type { CheckpointReader, StoredDtype, TensorInfo } from './types';
import { CorruptFileError, UnsupportedDtypeError } from './errors';
import { bf16ToF32, f16ToF32 } from '../../defs/halfFloat';
import { parseSafetensorsHeader, safetensorsHeaderLength } from './safetensorsHeader';

export class SafetensorsFormatError extends CorruptFileError {
  constructor(file: string, detail: string) {
    super(file, 'safetensors', detail);
    this.name = 'SafetensorsFormatError';
  }
}

const DTYPE_BYTES: Partial<Record<StoredDtype, number>> = { F32: 4, F16: 2, BF16: 2 };
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16'] as const;

export interface SafetensorsEntry extends TensorInfo {
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  source: ByteSource;
}

/** The header, checked as the format's reference reader checks it (safetensorsHeader.ts). */
export async function readSafetensorsHeader(source: ByteSource): Promise<Map<string, SafetensorsEntry>> {
  const fail = (field: string, expected: string, found: string) => new SafetensorsFormatError(source.name, `${field} is ${found}; expected ${expected}`);
  const headerLen = safetensorsHeaderLength(source.size >= 8 ? await source.read(0, 8) : new Uint8Array(0), source.size, fail);
  const dataStart = 8 + headerLen;
  const { entries: parsed } = parseSafetensorsHeader(await source.read(8, headerLen), source.size - dataStart, fail);
  const entries = new Map<string, SafetensorsEntry>();
  for (const { name, dtype, shape, begin, end } of parsed) {
    if (!DTYPE_BYTES[dtype as StoredDtype]) {
      throw new UnsupportedDtypeError(source.name, name, dtype, SAFETENSORS_DTYPES, 'Convert the checkpoint to F32, F16 or BF16 safetensors (e.g. `model.to(torch.bfloat16).save_pretrained(...)`).');
    }
    entries.set(name, { name, shape, dtype: dtype as StoredDtype, byteLength: end - begin, offset: dataStart + begin, source });
  }
  return entries;
}

export async function readSafetensorsF32(entry: SafetensorsEntry): Promise<Float32Array> {
  const bytes = await entry.source.read(entry.offset, entry.byteLength);
  const count = entry.byteLength / (DTYPE_BYTES[entry.dtype] ?? 4);
  if (entry.dtype === 'F32') {
    // A buffer of its own (file and HTTP sources) is reused as is; a view into a larger or
    // unaligned buffer is copied, so the caller never aliases the source's memory.
    if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) return new Float32Array(bytes.buffer, 0, count);
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const halves = new Uint16Array(count);
  new Uint8Array(halves.buffer).set(bytes);
  return entry.dtype === 'BF16' ? bf16ToF32(halves) : f16ToF32(halves);
}

/** A CheckpointReader over one or more safetensors files (shards) and a config object. */
export async function openSafetensors(config: Record<string, unknown>, shards: ByteSource[]): Promise<CheckpointReader> {
  const all = new Map<string, SafetensorsEntry>();
  for (const shard of shards) {
    for (const [name, entry] of await readSafetensorsHeader(shard)) {
      const prior = all.get(name);
      if (prior) throw new SafetensorsFormatError(shard.name, `tensor ${name} is also in ${prior.source.name}; shards must not repeat tensors`);
      all.set(name, entry);
    }
  }
  return {
    config,
    tensors: all as ReadonlyMap<string, TensorInfo>,
    async readF32(name) {
      const entry = all.get(name);
      if (!entry) throw new Error(`tensor ${name} is not in the checkpoint (it has ${all.size} tensors, e.g. ${[...all.keys()].slice(0, 3).join(', ')})`);
      return readSafetensorsF32(entry);
    },
    async readQuantized() {
      return null;
    },
    async close() {
      for (const s of shards) await s.close?.();
    },
  };
}
