// Writes safetensors (the format src/engine/model/loaders/safetensors.ts reads): 8-byte
// little-endian header length, JSON header padded with spaces to 8 bytes, then the data.
// Used for exports: PEFT LoRA adapters, sparse deltas, fully tuned weights, sparse masks.

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

/** Parse safetensors bytes held in memory (small files: masks, adapters) into typed arrays. */
export function readSafetensorsBytes(bytes: Uint8Array): Map<string, { dtype: string; shape: number[]; data: Float32Array | Int32Array | Uint32Array }> {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error('not a safetensors file: header length runs past the end');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { dtype: string; shape: number[]; data: Float32Array | Int32Array | Uint32Array }>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = t.data_offsets;
    if (8 + n + b > bytes.length || a > b) throw new Error(`tensor ${name} lies outside the file`);
    const slice = bytes.slice(8 + n + a, 8 + n + b);
    const C = t.dtype === 'F32' ? Float32Array : t.dtype === 'I32' ? Int32Array : t.dtype === 'U32' ? Uint32Array : null;
    if (!C) throw new Error(`tensor ${name}: dtype ${t.dtype} is not supported here (F32, I32, U32)`);
    out.set(name, { dtype: t.dtype, shape: t.shape, data: new C(slice.buffer) });
  }
  return out;
}
