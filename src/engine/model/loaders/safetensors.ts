// safetensors: 8-byte little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}, then the raw data.
// Offsets are relative to the end of the header. Tensors are read one range at a time.
import type { ByteSource } from './byteSource';
import type { CheckpointReader, StoredDtype, TensorInfo } from './types';
import { bf16ToF32, f16ToF32 } from './halfFloat';

export class SafetensorsFormatError extends Error {
  readonly kind = 'corrupt-file';
  constructor(file: string, detail: string) {
    super(`${file} is not a valid safetensors file: ${detail}. Download it again; if it persists the file is damaged at its source.`);
    this.name = 'SafetensorsFormatError';
  }
}

const DTYPE_BYTES: Partial<Record<StoredDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

export interface SafetensorsEntry extends TensorInfo {
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  source: ByteSource;
}

export async function readSafetensorsHeader(source: ByteSource): Promise<Map<string, SafetensorsEntry>> {
  if (source.size < 8) throw new SafetensorsFormatError(source.name, `only ${source.size} bytes`);
  const lenBytes = await source.read(0, 8);
  const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen <= 0 || 8 + headerLen > source.size) {
    throw new SafetensorsFormatError(source.name, `header length ${headerLen} runs past the end of the ${source.size}-byte file`);
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(await source.read(8, headerLen)));
  } catch (e) {
    throw new SafetensorsFormatError(source.name, `header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const entries = new Map<string, SafetensorsEntry>();
  const ranges: [number, number, string][] = [];
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = t.dtype as StoredDtype;
    const width = DTYPE_BYTES[dtype];
    if (!width) {
      throw new SafetensorsFormatError(source.name, `tensor ${name} has dtype ${t.dtype}; supported: F32, F16, BF16`);
    }
    const [begin, end] = t.data_offsets;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end >= begin && dataStart + end <= source.size)) {
      throw new SafetensorsFormatError(source.name, `tensor ${name} has data offsets [${begin}, ${end}] outside the file`);
    }
    if (end - begin !== count * width) {
      throw new SafetensorsFormatError(source.name, `tensor ${name} of shape [${t.shape}] ${dtype} needs ${count * width} bytes but spans ${end - begin}`);
    }
    ranges.push([begin, end, name]);
    entries.set(name, { name, shape: t.shape, dtype, byteLength: end - begin, offset: dataStart + begin, source });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) {
      throw new SafetensorsFormatError(source.name, `tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
    }
  }
  return entries;
}

export async function readSafetensorsF32(entry: SafetensorsEntry): Promise<Float32Array> {
  const bytes = await entry.source.read(entry.offset, entry.byteLength);
  const count = entry.byteLength / (DTYPE_BYTES[entry.dtype] ?? 4);
  if (entry.dtype === 'F32') {
    // Copy: the source may hand out a view into a larger, unaligned buffer.
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
    for (const [name, entry] of await readSafetensorsHeader(shard)) all.set(name, entry);
  }
  return {
    config,
    tensors: all as ReadonlyMap<string, TensorInfo>,
    async readF32(name) {
      const entry = all.get(name);
      if (!entry) throw new Error(`tensor ${name} is not in the checkpoint`);
      return readSafetensorsF32(entry);
    },
    async close() {
      for (const s of shards) await s.close?.();
    },
  };
}
