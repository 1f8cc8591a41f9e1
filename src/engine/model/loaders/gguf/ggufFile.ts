// GGUF container (ggml docs/gguf.md, versions 2 and 3): magic "GGUF", u32 version, u64 tensor
// count, u64 metadata count; metadata key/value pairs (13 value types, arrays nest); tensor
// infos {name, n_dims, ne[n_dims] (innermost first), ggml type, offset}; then the data section
// at the next multiple of general.alignment (default 32). Only the header is read here, in
// growing ranges, so a multi-GB file is never held in memory. Little-endian files only.
import type { ByteSource } from '../byteSource';
import { CorruptFileError } from '../errors';

export type GgufValue = number | bigint | boolean | string | GgufValue[];

export const GGUF_VALUE_TYPES = ['UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'FLOAT32', 'BOOL', 'STRING', 'ARRAY', 'UINT64', 'INT64', 'FLOAT64'] as const;

export interface GgufTensorInfo {
  name: string;
  /** ggml `ne`: the innermost (contiguous) dimension first, i.e. the PyTorch shape reversed. */
  dims: number[];
  /** ggml_type id (0 F32, 1 F16, 2 Q4_0, 8 Q8_0, 12 Q4_K, 14 Q6_K, ...). */
  type: number;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  /** Bytes of data: whole ggml blocks of its type, checked to lie inside the file. */
  byteLength: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number;
}

export class GgufFormatError extends CorruptFileError {
  constructor(file: string, detail: string) {
    super(file, 'GGUF', detail);
    this.name = 'GgufFormatError';
  }
}

/** A forward cursor over a ByteSource that fetches the header in chunks as it goes. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.buf.buffer);
  private bufStart = 0;
  pos = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly src: ByteSource, private readonly chunk = 1 << 20) {}

  /** Makes bytes [pos, pos + n) available; throws a truncation error past the end. */
  async need(n: number): Promise<void> {
    if (this.pos + n <= this.bufStart + this.buf.byteLength) return;
    if (this.pos + n > this.src.size) {
      throw new GgufFormatError(this.src.name, `the header needs bytes up to ${this.pos + n} but the file has ${this.src.size} (truncated download?)`);
    }
    const len = Math.min(this.src.size - this.pos, Math.max(n, this.chunk));
    const bytes = await this.src.read(this.pos, len);
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bufStart = this.pos;
  }

  private at(n: number): number {
    const i = this.pos - this.bufStart;
    this.pos += n;
    return i;
  }

  /** Bytes of the file after the cursor. */
  get remaining(): number { return this.src.size - this.pos; }

  /** A scalar metadata value of GGUF value type `type` (bytes already made available). */
  scalar(type: number): GgufValue {
    switch (type) {
      case 0: return this.u8();
      case 1: return this.i8();
      case 2: return this.u16();
      case 3: return this.i16();
      case 4: return this.u32();
      case 5: return this.i32();
      case 6: return this.f32();
      case 7: return this.u8() !== 0;
      case 10: return this.u64();
      case 11: return this.i64();
      default: return this.f64();
    }
  }

  u8(): number { return this.view.getUint8(this.at(1)); }
  i8(): number { return this.view.getInt8(this.at(1)); }
  u16(): number { return this.view.getUint16(this.at(2), true); }
  i16(): number { return this.view.getInt16(this.at(2), true); }
  u32(): number { return this.view.getUint32(this.at(4), true); }
  i32(): number { return this.view.getInt32(this.at(4), true); }
  f32(): number { return this.view.getFloat32(this.at(4), true); }
  f64(): number { return this.view.getFloat64(this.at(8), true); }
  u64(): bigint { return this.view.getBigUint64(this.at(8), true); }
  i64(): bigint { return this.view.getBigInt64(this.at(8), true); }

  /** A u64 that must fit a JS number (counts, lengths, offsets). */
  async count(what: string): Promise<number> {
    await this.need(8);
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(this.src.name, `${what} ${v} is impossibly large`);
    return Number(v);
  }

  async string(what: string): Promise<string> {
    const len = await this.count(`${what} length`);
    if (len > this.remaining) throw new GgufFormatError(this.src.name, `${what} length ${len} runs past the end of the file (${this.remaining} bytes left)`);
    await this.need(len);
    const i = this.at(len);
    return this.decoder.decode(this.buf.subarray(i, i + len));
  }
}

const SCALAR_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
/** The fewest bytes one value of each type takes in the file (a string: its u64 length; an array: type + count). */
const MIN_VALUE_BYTES = SCALAR_BYTES.map((b, type) => (type === 8 ? 8 : type === 9 ? 12 : b));
/** Arrays may hold arrays; deeper nesting than this is refused rather than recursed into. */
const MAX_ARRAY_DEPTH = 8;

/**
 * [elements per block, bytes per block] of every ggml type (ggml-common.h block structs), so the
 * container can check each tensor's size and place in the file before any loader reads it, also
 * for types the loader then refuses as unsupported.
 */
export const GGML_BLOCK_LAYOUT: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82],
  23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2],
  34: [256, 54], 35: [256, 66], 39: [32, 17],
};

async function readValue(c: Cursor, type: number, key: string, file: string, depth = 0): Promise<GgufValue> {
  if (type === 8) return c.string(`metadata ${key}`);
  if (type === 9) {
    if (depth >= MAX_ARRAY_DEPTH) throw new GgufFormatError(file, `metadata ${key} nests arrays more than ${MAX_ARRAY_DEPTH} deep`);
    await c.need(4);
    const inner = c.u32();
    if (inner > 12) throw new GgufFormatError(file, `metadata ${key} is an array of unknown value type ${inner}`);
    const n = await c.count(`array ${key} length`);
    // Bounded by the bytes left before anything is allocated: a hostile count fails here, not after gigabytes.
    if (n > c.remaining / MIN_VALUE_BYTES[inner]) {
      throw new GgufFormatError(file, `array ${key} claims ${n} elements, more than the ${c.remaining} bytes left in the file can hold (truncated download?)`);
    }
    if (inner !== 8 && inner !== 9) {
      await c.need(n * SCALAR_BYTES[inner]);
      const out = new Array<GgufValue>(n);
      for (let i = 0; i < n; i++) out[i] = c.scalar(inner);
      return out;
    }
    const out: GgufValue[] = [];
    for (let i = 0; i < n; i++) out.push(await readValue(c, inner, key, file, depth + 1));
    return out;
  }
  if (type > 12) throw new GgufFormatError(file, `metadata ${key} has unknown value type ${type}`);
  await c.need(SCALAR_BYTES[type]);
  return c.scalar(type);
}

/** Bytes of one tensor info at the least: name length, n_dims, one dimension, type, offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
/** One metadata pair at the least: key length, value type, a one-byte value. */
const MIN_KV_BYTES = 8 + 4 + 1;

export async function readGgufHeader(src: ByteSource): Promise<GgufHeader> {
  const fail = (detail: string) => new GgufFormatError(src.name, detail);
  const c = new Cursor(src);
  await c.need(8);
  const magic = c.u32();
  if (magic !== 0x46554747) {
    throw fail(magic === 0x47475546 ? 'it is a big-endian GGUF; only little-endian files are supported' : `it does not start with "GGUF" (magic 0x${magic.toString(16)})`);
  }
  const version = c.u32();
  if (version !== 2 && version !== 3) throw fail(`GGUF version ${version} is not supported (versions 2 and 3 are); convert it again with a current llama.cpp`);
  const tensorCount = await c.count('tensor count');
  const kvCount = await c.count('metadata count');
  if (kvCount * MIN_KV_BYTES + tensorCount * MIN_TENSOR_INFO_BYTES > c.remaining) {
    throw fail(`it claims ${kvCount} metadata pairs and ${tensorCount} tensors, more than the ${c.remaining} bytes left in the file can hold (truncated download?)`);
  }
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string('metadata key');
    // llama.cpp refuses a repeated key; taking either copy would silently change the model.
    if (metadata.has(key)) throw fail(`metadata key ${key} appears twice`);
    await c.need(4);
    metadata.set(key, await readValue(c, c.u32(), key, src.name));
  }
  const rawAlign = metadata.get('general.alignment') ?? 32;
  const alignment = typeof rawAlign === 'bigint' ? Number(rawAlign) : rawAlign;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment <= 0 || alignment & (alignment - 1) || alignment > 1 << 30) {
    throw fail(`general.alignment ${String(rawAlign)} is not a power of two`);
  }
  const infos: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = await c.string('tensor name');
    if (names.has(name)) throw fail(`tensor ${name} is listed twice`);
    names.add(name);
    await c.need(4);
    const nDims = c.u32();
    if (nDims < 1 || nDims > 4) throw fail(`tensor ${name} has ${nDims} dimensions (ggml allows 1 to 4)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await c.count(`tensor ${name} dimension`));
    await c.need(4);
    const type = c.u32();
    const layout = GGML_BLOCK_LAYOUT[type];
    if (!layout) throw fail(`tensor ${name} has unknown ggml type ${type}`);
    const [blockElems, blockBytes] = layout;
    if (dims[0] % blockElems !== 0) throw fail(`tensor ${name} rows of ${dims[0]} are not whole blocks of ${blockElems} (ggml type ${type})`);
    // The byte size, bounded by the file before the product can leave exact integers.
    let byteLength = (dims[0] / blockElems) * blockBytes;
    for (let d = 1; d < nDims && byteLength <= src.size; d++) byteLength *= dims[d];
    if (byteLength > src.size) throw fail(`tensor ${name} of dimensions [${dims}] needs more bytes than the ${src.size}-byte file has`);
    const offset = await c.count(`tensor ${name} offset`);
    if (offset % alignment !== 0) throw fail(`tensor ${name} offset ${offset} is not a multiple of the alignment ${alignment}`);
    infos.push({ name, dims, type, offset, byteLength });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  // As llama.cpp's gguf reader requires: tensors lie in info order, each at the previous one's end
  // padded to the alignment, so no tensor overlaps another and no byte between them is unaccounted for.
  let expected = 0;
  for (const t of infos) {
    if (t.offset !== expected) throw fail(`tensor ${t.name} has data offset ${t.offset}; after the tensors before it, it must be ${expected}`);
    expected += Math.ceil(t.byteLength / alignment) * alignment;
    t.offset += dataOffset;
  }
  const last = infos[infos.length - 1];
  const dataEnd = last ? last.offset + last.byteLength : c.pos;
  if (dataEnd > src.size) throw fail(`tensor ${last.name} (${last.byteLength} bytes at ${last.offset}) runs past the end of the ${src.size}-byte file (truncated download?)`);
  if (src.size > Math.max(dataOffset + expected, dataEnd)) {
    throw fail(`${src.size - Math.max(dataOffset + expected, dataEnd)} bytes after the last tensor belong to no tensor`);
  }
  return { version, metadata, tensors: infos, alignment, dataOffset };
}

/**
 * A numeric metadata value as a number, undefined when the key is absent. A key that is there
 * with another type (a string, an array) is an error, not "absent": readers fall back to defaults
 * for absent keys, and a mistyped rope.freq_base must not silently become 10000.
 */
export function metadataNumber(h: Pick<GgufHeader, 'metadata'>, key: string, file: string): number | undefined {
  const v = h.metadata.get(key);
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  const found = typeof v === 'bigint' ? `${v}, too large` : Array.isArray(v) ? `an array of ${v.length}` : typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : String(v);
  throw new GgufFormatError(file, `metadata ${key} is ${found}; expected a number`);
}
