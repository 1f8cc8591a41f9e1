// The influence cache file: every train row's vector of directional derivatives, f16, keyed by
// the model, the weights and the task it was computed on (RapidIn caches compressed gradients the
// same way). Layout (little endian):
//   "ZOINF\x01\0\0"  u32 headerBytes  header JSON (UTF-8, space-padded to 4)
//   rows x f32 scale   rows x dims x f16 (value / scale), padded to 4 bytes
// Each row is scaled by its largest |d| so f16 keeps 11 bits of every row whatever its gradient's
// size (directional derivatives of a large model overflow f16's 65504; a tiny one's underflow):
// 1,000 rows at K = 256 are 512 KB of halves plus 4 KB of scales. Ranking is by cosine, which a
// row's scale does not change, so the app and the CLI rank from the decoded file alike.
import { floatToHalf, halfToFloat } from '../defs/halfFloat';
import { InvalidFileError, parseJsonFile } from '../files/invalidFile';
import { FieldReader } from '../files/fields';
import type { InfluenceVectorsInfo } from '../api';

export const INFLUENCE_FILE_VERSION = 1;
const MAGIC = [0x5a, 0x4f, 0x49, 0x4e, 0x46, INFLUENCE_FILE_VERSION, 0, 0]; // "ZOINF" v1

/** The file's header: what the vectors are (the fields InfluenceVectorsInfo reports) and its format. */
export type InfluenceFileHeader = { format: 'zo-studio-influence'; version: 1 } & Pick<InfluenceVectorsInfo, 'key' | 'k' | 'seed' | 'eps' | 'blocks' | 'rows' | 'dims'>;

export interface InfluenceVectors {
  header: InfluenceFileHeader;
  /** [rows, dims] row-major, as decoded from f16 (what every ranking reads). */
  vectors: Float32Array;
}

/** Header + f16 vectors in the format above. */
export function encodeInfluenceFile(header: InfluenceFileHeader, vectors: Float32Array): Uint8Array {
  const { rows, dims } = header;
  if (vectors.length !== rows * dims) throw new Error(`influence vectors: ${vectors.length} numbers for ${rows} rows x ${dims}`);
  let json = JSON.stringify({ ...header, version: INFLUENCE_FILE_VERSION });
  let head = new TextEncoder().encode(json);
  while (head.length % 4 !== 0) head = new TextEncoder().encode((json += ' '));
  const halfBytes = Math.ceil((rows * dims * 2) / 4) * 4;
  const out = new Uint8Array(12 + head.length + rows * 4 + halfBytes);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  let p = 12 + head.length;
  const halves = p + rows * 4;
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < dims; c++) {
      const v = vectors[r * dims + c];
      if (!Number.isFinite(v)) throw new Error(`influence vector of row ${r} has ${v} at ${c}: the loss was not finite under a perturbation`);
      max = Math.max(max, Math.abs(v));
    }
    view.setFloat32(p + 4 * r, max, true);
    const inv = max > 0 ? 1 / max : 0;
    for (let c = 0; c < dims; c++) view.setUint16(halves + 2 * (r * dims + c), floatToHalf(vectors[r * dims + c] * inv), true);
  }
  return out;
}

/** Reads and validates a cache file (magic, version, every header field, exact length, finite values). */
export function decodeInfluenceFile(bytes: Uint8Array, file = 'influence cache'): InfluenceVectors {
  const fail = (field: string, expected: string, found?: string): never => {
    throw new InvalidFileError(file, field, expected, found);
  };
  if (bytes.length < 12) fail('its length', 'at least 12 bytes (an influence cache file)', `${bytes.length} bytes`);
  if (!MAGIC.slice(0, 5).every((b, i) => bytes[i] === b)) fail('its first bytes', '"ZOINF" (a zo-studio influence cache)', 'other bytes');
  if (bytes[5] !== INFLUENCE_FILE_VERSION) fail('its version', `version ${INFLUENCE_FILE_VERSION} (compute the vectors again with this version)`, String(bytes[5]));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headBytes = view.getUint32(8, true);
  if (headBytes % 4 !== 0 || 12 + headBytes > bytes.length) fail('header length', 'a multiple of 4 within the file', String(headBytes));
  const raw = parseJsonFile(new TextDecoder().decode(bytes.subarray(12, 12 + headBytes)), file);
  const f = new FieldReader(file);
  const h = f.object(raw, 'header');
  if (h.format !== 'zo-studio-influence') f.fail('header.format', '"zo-studio-influence"', h.format);
  const key = f.object(h.key, 'header.key');
  const blocks = h.blocks === null ? null : f.array(h.blocks, 'header.blocks').map((b, i) => f.string(b, `header.blocks[${i}]`, true));
  const header: InfluenceFileHeader = {
    format: 'zo-studio-influence',
    version: 1,
    key: { model: f.string(key.model, 'header.key.model', true), weights: f.string(key.weights, 'header.key.weights', true), task: f.string(key.task, 'header.key.task', true) },
    k: f.integer(h.k, 'header.k', 1, 1 << 20),
    seed: f.integer(h.seed, 'header.seed', 0, 0xffffffff),
    eps: f.number(h.eps, 'header.eps', { above: 0 }),
    blocks,
    rows: f.integer(h.rows, 'header.rows', 1, 1 << 24),
    dims: f.integer(h.dims, 'header.dims', 1, 1 << 24),
  };
  const expectedDims = header.k * (blocks?.length ?? 1);
  if (header.dims !== expectedDims) f.fail('header.dims', `k x blocks = ${expectedDims}`, header.dims);
  const { rows, dims } = header;
  const halfBytes = Math.ceil((rows * dims * 2) / 4) * 4;
  const length = 12 + headBytes + rows * 4 + halfBytes;
  if (bytes.length !== length) fail('its length', `${length} bytes for ${rows} rows x ${dims} (a truncated or padded file)`, `${bytes.length} bytes`);
  const scalesAt = 12 + headBytes;
  const halvesAt = scalesAt + rows * 4;
  const vectors = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const scale = view.getFloat32(scalesAt + 4 * r, true);
    if (!(Number.isFinite(scale) && scale >= 0)) fail(`row ${r} scale`, 'a finite number >= 0', String(scale));
    for (let c = 0; c < dims; c++) {
      const v = halfToFloat(view.getUint16(halvesAt + 2 * (r * dims + c), true));
      if (!(Math.abs(v) <= 1)) fail(`row ${r} value ${c}`, 'a half float in [-1, 1]', String(v));
      vectors[r * dims + c] = v * scale;
    }
  }
  return { header, vectors };
}
