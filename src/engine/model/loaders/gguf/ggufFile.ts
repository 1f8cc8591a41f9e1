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
    if (len > this.src.size) throw new GgufFormatError(this.src.name, `${what} length ${len} runs past the end of the file`);
    await this.need(len);
    const i = this.at(len);
    return this.decoder.decode(this.buf.subarray(i, i + len));
  }
}

const SCALAR_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

async function readValue(c: Cursor, type: number, key: string, file: string): Promise<GgufValue> {
  if (type === 8) return c.string(`metadata ${key}`);
  if (type === 9) {
    await c.need(4);
    const inner = c.u32();
    const n = await c.count(`array ${key} length`);
    if (inner > 12) throw new GgufFormatError(file, `metadata ${key} is an array of unknown value type ${inner}`);
    if (inner !== 8 && inner !== 9 && n * SCALAR_BYTES[inner] > 1 << 30) throw new GgufFormatError(file, `array ${key} of ${n} elements is impossibly large`);
    const out: GgufValue[] = [];
    for (let i = 0; i < n; i++) out.push(await readValue(c, inner, key, file));
    return out;
  }
  if (type > 12) throw new GgufFormatError(file, `metadata ${key} has unknown value type ${type}`);
  await c.need(SCALAR_BYTES[type]);
  switch (type) {
    case 0: return c.u8();
    case 1: return c.i8();
    case 2: return c.u16();
    case 3: return c.i16();
    case 4: return c.u32();
    case 5: return c.i32();
    case 6: return c.f32();
    case 7: return c.u8() !== 0;
    case 10: return c.u64();
    case 11: return c.i64();
    default: return c.f64();
  }
}

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
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string('metadata key');
    await c.need(4);
    metadata.set(key, await readValue(c, c.u32(), key, src.name));
  }
  const rawAlign = metadata.get('general.alignment') ?? 32;
  const alignment = typeof rawAlign === 'bigint' ? Number(rawAlign) : rawAlign;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment <= 0 || alignment & (alignment - 1)) {
    throw fail(`general.alignment ${String(rawAlign)} is not a power of two`);
  }
  const infos: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await c.string('tensor name');
    await c.need(4);
    const nDims = c.u32();
    if (nDims < 1 || nDims > 4) throw fail(`tensor ${name} has ${nDims} dimensions (ggml allows 1 to 4)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await c.count(`tensor ${name} dimension`));
    await c.need(4);
    const type = c.u32();
    const offset = await c.count(`tensor ${name} offset`);
    if (offset % alignment !== 0) throw fail(`tensor ${name} offset ${offset} is not a multiple of the alignment ${alignment}`);
    infos.push({ name, dims, type, offset });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  for (const t of infos) t.offset += dataOffset;
  return { version, metadata, tensors: infos, alignment, dataOffset };
}
