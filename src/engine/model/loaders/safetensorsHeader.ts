// The safetensors header checks of the format's reference reader (huggingface/safetensors,
// `Metadata::validate`), shared by the checkpoint loader (ranges of a ByteSource) and the
// in-memory reader of adapters, sparse deltas and exports: a sane header length, UTF-8 JSON
// starting with '{', string-only __metadata__, known dtypes, byte lengths that match
// dtype x shape, and tensor data that tiles the data section exactly (starts at 0, no gaps,
// no overlaps, nothing past the end, no unindexed bytes after the last tensor). Without the
// tiling check a header length off by one shifts every tensor by a byte and loads "fine".

/** Bytes per element of every dtype the format defines. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The format's own limit on header size (it guards against a hostile length field). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** How a caller turns a problem into its own typed error (a loader error, an InvalidFileError). */
export type HeaderFail = (field: string, expected: string, found: string) => Error;

export interface SafetensorsHeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface ParsedSafetensorsHeader {
  entries: SafetensorsHeaderEntry[];
  metadata: Record<string, string>;
}

/** The header length from the 8-byte prefix, checked against the file size. */
export function safetensorsHeaderLength(prefix: Uint8Array, fileSize: number, fail: HeaderFail): number {
  if (fileSize < 8 || prefix.byteLength < 8) throw fail('the file', 'at least the 8-byte header length', `only ${fileSize} bytes (truncated download?)`);
  const raw = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (raw > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) throw fail('the header length', `at most the format's ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit`, String(raw));
  const n = Number(raw);
  if (n < 2) throw fail('the header length', 'at least 2 bytes ("{}")', String(n));
  if (8 + n > fileSize) throw fail('the header length', `at most the ${fileSize - 8} bytes after it`, `${n}, which runs past the end of the ${fileSize}-byte file (truncated download?)`);
  return n;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

/** Parses and validates the header JSON against a data section of `dataSize` bytes. */
export function parseSafetensorsHeader(json: Uint8Array, dataSize: number, fail: HeaderFail): ParsedSafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw fail('the header', 'UTF-8 JSON', 'not valid UTF-8');
  }
  if (!text.startsWith('{')) throw fail('the header', "a JSON object starting with '{'", `text starting with ${short(text.slice(0, 8))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail('the header', 'JSON', `not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('the header', 'a JSON object', short(header));
  const metadata: Record<string, string> = {};
  const entries: SafetensorsHeaderEntry[] = [];
  for (const [name, t] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof t !== 'object' || t === null || Array.isArray(t)) throw fail('__metadata__', 'an object of strings', short(t));
      for (const [k, v] of Object.entries(t)) {
        if (typeof v !== 'string') throw fail(`__metadata__.${k}`, 'a string', short(v));
        metadata[k] = v;
      }
      continue;
    }
    const entry = t as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail(`tensor ${name}`, 'an object {dtype, shape, data_offsets}', short(t));
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_BYTES)) throw fail(`tensor ${name} dtype`, `one of ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')}`, short(dtype));
    if (!Array.isArray(shape) || !shape.every(isCount)) throw fail(`tensor ${name} shape`, 'an array of non-negative integers', short(shape));
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw fail(`tensor ${name} data_offsets`, 'two non-negative integers [begin, end] with begin <= end', short(offsets));
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataSize) throw fail(`tensor ${name} data_offsets`, `offsets inside the ${dataSize} data bytes`, `[${begin}, ${end}] (truncated download?)`);
    let bytes = SAFETENSORS_DTYPE_BYTES[dtype];
    for (const d of shape as number[]) {
      bytes *= d;
      if (bytes > dataSize) break; // already too large; stops before the product leaves exact integers
    }
    if (bytes !== end - begin) {
      throw fail(`tensor ${name} data_offsets`, `a span of ${bytes > dataSize ? `more than ${dataSize}` : bytes} bytes, what shape [${shape}] ${dtype} needs`, `[${begin}, ${end}] (${end - begin} bytes)`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // Sorted by position, the tensors must cover [0, dataSize) exactly, as the reference reader requires.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous = '';
  for (const e of sorted) {
    if (e.begin < at) throw fail(`tensor ${e.name} data_offsets`, `data that does not overlap ${previous}'s (which ends at ${at})`, `[${e.begin}, ${e.end}]`);
    if (e.begin > at) throw fail(`tensor ${e.name} data_offsets`, `data starting at ${at}, where ${previous ? `${previous} ends` : 'the data section starts'}`, `[${e.begin}, ${e.end}], leaving ${e.begin - at} bytes no tensor uses`);
    at = e.end;
    previous = e.name;
  }
  if (at !== dataSize) throw fail('the data section', `${at} bytes, as the tensors' data_offsets index`, `${dataSize} bytes: ${dataSize - at} bytes after the last tensor belong to no tensor (a wrong header length?)`);
  return { entries, metadata };
}
