// safetensors (huggingface/safetensors, "format" in its README): 8-byte little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?},
// then the raw little-endian data; offsets are relative to the end of the header.
// Tensors are read one range at a time; the header is validated before any tensor is read.
import type { ByteSource } from './byteSource';
import type { CheckpointReader, StoredDtype, TensorInfo } from './types';
import { CorruptFileError, UnsupportedDtypeError } from './errors';
import { bf16ToF32, f16ToF32 } from '../../defs/halfFloat';

export class SafetensorsFormatError extends CorruptFileError {
  constructor(file: string, detail: string) {
    super(file, 'safetensors', detail);
    this.name = 'SafetensorsFormatError';
  }
}

const DTYPE_BYTES: Partial<Record<StoredDtype, number>> = { F32: 4, F16: 2, BF16: 2 };
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16'] as const;
/** The format's own limit on header size (it guards against a hostile length field). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry extends TensorInfo {
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  source: ByteSource;
}

interface RawEntry {
  dtype?: unknown;
  shape?: unknown;
  data_offsets?: unknown;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export async function readSafetensorsHeader(source: ByteSource): Promise<Map<string, SafetensorsEntry>> {
  const fail = (detail: string) => new SafetensorsFormatError(source.name, detail);
  if (source.size < 8) throw fail(`the file has only ${source.size} bytes (truncated download?)`);
  const lenBytes = await source.read(0, 8);
  const headerLen = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen < 2 || 8 + headerLen > source.size) {
    throw fail(`header length ${headerLen} runs past the end of the ${source.size}-byte file (truncated download?)`);
  }
  if (headerLen > MAX_HEADER_BYTES) throw fail(`header length ${headerLen} exceeds the format's ${MAX_HEADER_BYTES}-byte limit`);
  let header: Record<string, RawEntry>;
  try {
    header = JSON.parse(new TextDecoder().decode(await source.read(8, headerLen)));
  } catch (e) {
    throw fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('the header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataSize = source.size - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  const ranges: [number, number, string][] = [];
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const offsets = t?.data_offsets;
    if (!Array.isArray(t?.shape) || !t.shape.every(isCount) || typeof t.dtype !== 'string' || !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw fail(`tensor ${name} has a malformed entry ${JSON.stringify(t)}`);
    }
    const dtype = t.dtype as StoredDtype;
    const width = DTYPE_BYTES[dtype];
    if (!width) {
      throw new UnsupportedDtypeError(source.name, name, t.dtype, SAFETENSORS_DTYPES, 'Convert the checkpoint to F32, F16 or BF16 safetensors (e.g. `model.to(torch.bfloat16).save_pretrained(...)`).');
    }
    const shape = t.shape as number[];
    const [begin, end] = offsets as number[];
    if (end < begin || end > dataSize) {
      throw fail(`tensor ${name} has data offsets [${begin}, ${end}] outside the ${dataSize} data bytes (truncated download?)`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width) {
      throw fail(`tensor ${name} of shape [${shape}] ${dtype} needs ${count * width} bytes but its offsets span ${end - begin}`);
    }
    ranges.push([begin, end, name]);
    entries.set(name, { name, shape, dtype, byteLength: end - begin, offset: dataStart + begin, source });
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw fail(`tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
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
