// The compact run record: enough to replay a ZO run bit for bit (MeZO, Malladi et al. 2023,
// Sec. 2: "store the seeds and projected gradients" instead of weights). Layout (little endian):
//   "ZOREC" version 0 0  u32 headerBytes  header JSON (UTF-8, space-padded to 4)  u32 stepCount
//   stepCount entries, each: u32 step | f32 loss | 8 bytes of values   (the 16-byte base)
//                            then, in version 3, for each extra the header lists (header.extras,
//                            in order): u32 payloadBytes | payload | zero padding to 4 bytes
// The values are the projected gradients g_0..g_{q-1} (then the ZO-SGD-Cons choice): f32 when
// they fit in 8 bytes (q = 1, or q = 2, or Cons with q = 1), f16 otherwise (up to 4 values).
// Why f16 is safe: training itself applies the f16-rounded g (zo_grad.wgsl ROUND_F16), so replay
// uses exactly what training used; a relative rounding of 2^-11 is far below the estimator's own
// noise (relative variance ~ d / q). z needs no bytes: it is a function of (seed, step, j, stream).
// The step index is stored (not implied) so records of resumed runs may skip or repeat steps.
// Extras (zo/recordExtras.ts) are per-step data some objectives need besides the base: ZOPrO's
// f64 gradient, lambda and mixed-direction terms ('zopro'). Each payload carries its length, so
// entries need not be of one size and a reader finds every step by walking the entries.
//
// Versions: v1 (magic byte 1, header.version 1) always holds its step count. v2 (magic byte 2,
// header.version 2) may also be *open*: stepCount 0xFFFFFFFF means "the steps run to the end of
// the file", so a run can append its entries as it goes (the CLI, the app) and a killed run leaves
// a record whose complete steps are all readable; a torn last entry is dropped and reported. v3
// (magic byte 3, header.version 3) adds header.extras and the payloads after each base entry;
// otherwise it is v2. All three are read; a record without extras is written as v2 (16 bytes a
// step, the fixed-size fast path), one with extras as v3. Every header field and every payload
// field is validated (defs/zoConfig.ts validateHyper, zo/validateConfig.ts for meta.config,
// recordExtras.ts for payloads): a bad one is an InvalidFileError naming the field, never a NaN replay.
import { floatToHalf, halfToFloat } from '../defs/halfFloat';
import { InvalidFileError, parseJsonFile } from '../files/invalidFile';
import { FieldReader } from '../files/fields';
import { validateHyper, type ZoHyper } from '../defs/zoConfig';
import { validateTrainConfig, validateZoproOptions } from './validateConfig';
import { recordDtype, recordValueCount, type ZoStepSummary } from '../defs/zoScript';
import { isRecordExtraName, RECORD_EXTRAS, type RecordExtraName, type RecordExtras, type RecordFail } from './recordExtras';

/** Bytes of an entry's base (the whole entry of a record without extras). */
export const RECORD_STEP_BYTES = 16;
/** The newest version: records with extras. Records without them are written as version 2. */
export const RECORD_VERSION = 3;
/** stepCount of an open record: its steps run to the end of the file. */
export const OPEN_STEP_COUNT = 0xffffffff;
const MAGIC_PREFIX = [0x5a, 0x4f, 0x52, 0x45, 0x43]; // "ZOREC", then the version byte and 0 0
const magic = (version: number) => [...MAGIC_PREFIX, version, 0, 0];

export type { RecordExtraName, RecordExtras };

export interface ZoRecordHeader {
  format: 'zo-studio-run';
  /** 1: older records (always closed); 2: may be open (written as the run goes); 3: 2 with extras. */
  version: 1 | 2 | 3;
  hyper: ZoHyper;
  /** The per-step extras every entry carries, in payload order (version 3; absent or empty: none). */
  extras?: RecordExtraName[];
  /** The full TrainConfig and anything else the caller wants kept (model name, file hashes). ZOPrO
   *  records keep their resolved options in meta.zopro. */
  meta?: Record<string, unknown>;
}

export interface ZoRecordStep {
  step: number;
  /** The step's loss (summary.loss), for charts; replay does not need it. */
  loss: number;
  /** g_0..g_{q-1}, then the ZO-SGD-Cons choice. */
  values: Float32Array;
  /** The payload of each extra the header lists (recordExtras.ts). */
  extras?: Partial<RecordExtras>;
}

export interface ZoRunRecord {
  header: ZoRecordHeader;
  steps: ZoRecordStep[];
  /** Bytes of a torn last step an open record ended with (a run killed while writing it); dropped. */
  tornBytes?: number;
}

export function newRecord(hyper: ZoHyper, meta?: Record<string, unknown>, extras: RecordExtraName[] = []): ZoRunRecord {
  const header: ZoRecordHeader = { format: 'zo-studio-run', version: extras.length ? 3 : 2, hyper: { ...hyper }, ...(extras.length ? { extras: [...extras] } : {}), meta };
  return { header, steps: [] };
}

/** The record entry of a step from its summary (ZoStepPlan.readSummary or ZoCpuPlan.step). */
export function recordStep(hyper: ZoHyper, step: number, s: ZoStepSummary): ZoRecordStep {
  const values = new Float32Array(recordValueCount(hyper));
  values.set(s.grads);
  if (hyper.optimizer === 'zo-sgd-cons') values[hyper.q] = s.choice;
  return { step, loss: s.loss, values };
}

/** The version a header is written as: 3 when it lists extras, else 2. */
function writtenVersion(header: Pick<ZoRecordHeader, 'extras'>): 2 | 3 {
  return header.extras?.length ? 3 : 2;
}

/** Magic, header and step count: everything before the steps. `open`: steps run to the end of the file. */
export function encodeRecordHead(header: ZoRecordHeader, stepCount: number | 'open'): Uint8Array {
  const version = writtenVersion(header);
  const { extras, ...rest } = header;
  const h: ZoRecordHeader = { ...rest, version, ...(version === 3 ? { extras } : {}) };
  let json = JSON.stringify(h);
  let head = new TextEncoder().encode(json);
  while (head.length % 4 !== 0) head = new TextEncoder().encode((json += ' '));
  const out = new Uint8Array(8 + 4 + head.length + 4);
  const view = new DataView(out.buffer);
  out.set(magic(version), 0);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  view.setUint32(12 + head.length, stepCount === 'open' ? OPEN_STEP_COUNT : stepCount, true);
  return out;
}

/** n rounded up to a multiple of 4 (arithmetic, not bitwise: a damaged length may be near 2^32). */
const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);

/**
 * The entries of `steps`, back to back (what an open record appends): 16 bytes each, followed
 * by one payload per name in `extras` (the header's list) when it has any.
 */
export function encodeRecordSteps(hyper: ZoHyper, steps: readonly ZoRecordStep[], extras: readonly RecordExtraName[] = []): Uint8Array {
  const dtype = recordDtype(hyper);
  const n = recordValueCount(hyper);
  const payloads = extras.length ? steps.map((s) => extras.map((name) => encodeExtra(name, s))) : null;
  const size = steps.length * RECORD_STEP_BYTES + (payloads ? payloads.flat().reduce((a, p) => a + 4 + pad4(p.length), 0) : 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let p = 0;
  steps.forEach((s, i) => {
    if (s.values.length !== n) throw new Error(`record step ${s.step}: ${s.values.length} values, expected ${n}`);
    view.setUint32(p, s.step >>> 0, true);
    view.setFloat32(p + 4, s.loss, true);
    for (let k = 0; k < n; k++) {
      if (dtype === 'f32') view.setFloat32(p + 8 + 4 * k, s.values[k], true);
      else view.setUint16(p + 8 + 2 * k, floatToHalf(s.values[k]), true);
    }
    p += RECORD_STEP_BYTES;
    for (const payload of payloads?.[i] ?? []) {
      view.setUint32(p, payload.length, true);
      out.set(payload, p + 4);
      p += 4 + pad4(payload.length);
    }
  });
  return out;
}

function encodeExtra<K extends RecordExtraName>(name: K, s: ZoRecordStep): Uint8Array {
  const value = s.extras?.[name];
  if (value === undefined) throw new Error(`record step ${s.step}: no '${name}' extra, which the record's header lists`);
  return RECORD_EXTRAS[name].encode(value as RecordExtras[K]);
}

function encodeWith(record: ZoRunRecord, stepCount: number | 'open'): Uint8Array {
  const head = encodeRecordHead(record.header, stepCount);
  const steps = encodeRecordSteps(record.header.hyper, record.steps, record.header.extras);
  const out = new Uint8Array(head.length + steps.length);
  out.set(head, 0);
  out.set(steps, head.length);
  return out;
}

export function encodeRunRecord(record: ZoRunRecord): Uint8Array {
  return encodeWith(record, record.steps.length);
}

/** The record open (v2, or v3 with extras): the same steps, and later entries may follow it. */
export function encodeOpenRecord(record: ZoRunRecord): Uint8Array {
  return encodeWith(record, 'open');
}

/** The closed form of an open record's bytes: the same bytes with `stepCount` in its header. */
export function closeRecord(open: Uint8Array, stepCount: number): Uint8Array {
  const out = open.slice();
  const view = new DataView(out.buffer);
  view.setUint32(12 + view.getUint32(8, true), stepCount, true);
  return out;
}

/** Whether `bytes` start like a run record (its magic), whatever its version. */
export function looksLikeRunRecord(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC_PREFIX.every((b, i) => bytes[i] === b);
}

/**
 * Reads a record (v1, v2 or v3, closed or open) and validates its header (the hyperparameters
 * and, when present, the training config in meta.config) and every extra's payload. `file`
 * names it in errors (a path, "run file").
 */
export function decodeRunRecord(bytes: Uint8Array, file = 'run record'): ZoRunRecord {
  const fail: RecordFail = (field, expected, found) => {
    throw new InvalidFileError(file, field, expected, found);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || MAGIC_PREFIX.some((b, i) => bytes[i] !== b) || bytes[6] !== 0 || bytes[7] !== 0) {
    fail('its first 8 bytes', 'the ZO Studio run record magic "ZOREC" (bad magic: this is not a run record)');
  }
  const version = bytes[5];
  if (version !== 1 && version !== 2 && version !== 3) fail('its format version', `1 to ${RECORD_VERSION} (a newer ZO Studio may read it)`, String(version));
  const headBytes = view.getUint32(8, true);
  if (12 + headBytes + 4 > bytes.length) fail('its header length', `at most ${bytes.length - 16} bytes (the file is truncated in its header)`, String(headBytes));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headBytes));
  } catch {
    return fail('its header', 'UTF-8 JSON text', 'not UTF-8');
  }
  const header = validateHeader(parseJsonFile(text, file), file, version);
  let p = 12 + headBytes;
  const count = view.getUint32(p, true);
  p += 4;
  const open = count === OPEN_STEP_COUNT && version >= 2;
  const extras = header.extras ?? [];
  if (!extras.length) return decodeFixed(view, header, p, count, open, fail);
  const out: ZoRecordStep[] = [];
  const values = new Float32Array(recordValueCount(header.hyper));
  let tornBytes = 0;
  while (open ? p < bytes.length : out.length < count) {
    const size = entrySize(view, p, extras.length);
    if (size === null || p + size > bytes.length) {
      if (open) {
        tornBytes = bytes.length - p;
        break;
      }
      fail('its step count', `${count} complete steps after the header`, `${out.length} complete steps and ${bytes.length - p} bytes of a torn one (the file is truncated)`);
    }
    const at = `steps[${out.length}]`;
    const step = readBase(view, p, header.hyper, values.length, values);
    const s: ZoRecordStep = { ...step, values: values.slice() };
    let q = p + RECORD_STEP_BYTES;
    const parsed: Partial<Record<RecordExtraName, unknown>> = {};
    for (const name of extras) {
      const length = view.getUint32(q, true);
      parsed[name] = RECORD_EXTRAS[name].decode(new DataView(bytes.buffer, bytes.byteOffset + q + 4, length), at, fail, s.step);
      q += 4 + pad4(length);
    }
    s.extras = parsed as Partial<RecordExtras>;
    out.push(s);
    p += size;
  }
  if (!open && p !== bytes.length) fail('its step count', `${count} steps that end the file`, `${bytes.length - p} bytes after them (the file is padded or its count is wrong)`);
  return tornBytes ? { header, steps: out, tornBytes } : { header, steps: out };
}

/** Bytes of the entry at `p` with `extras` payloads, or null when the file ends inside its lengths. */
function entrySize(view: DataView, p: number, extras: number): number | null {
  let q = p + RECORD_STEP_BYTES;
  for (let i = 0; i < extras; i++) {
    if (q + 4 > view.byteLength) return null;
    q += 4 + pad4(view.getUint32(q, true));
  }
  return q - p;
}

function readBase(view: DataView, p: number, hyper: ZoHyper, n: number, values: Float32Array): { step: number; loss: number } {
  const dtype = recordDtype(hyper);
  for (let k = 0; k < n; k++) values[k] = dtype === 'f32' ? view.getFloat32(p + 8 + 4 * k, true) : halfToFloat(view.getUint16(p + 8 + 2 * k, true));
  return { step: view.getUint32(p, true), loss: view.getFloat32(p + 4, true) };
}

/** The 16-byte entries of a record without extras: sizes known up front, one buffer for all values. */
function decodeFixed(view: DataView, header: ZoRecordHeader, p: number, count: number, open: boolean, fail: RecordFail): ZoRunRecord {
  const room = view.byteLength - p;
  let steps = count;
  let tornBytes = 0;
  if (open) {
    steps = Math.floor(room / RECORD_STEP_BYTES);
    tornBytes = room - steps * RECORD_STEP_BYTES;
  } else if (count * RECORD_STEP_BYTES !== room) {
    fail('its step count', `${count} steps of ${RECORD_STEP_BYTES} bytes after the header`, `${(room / RECORD_STEP_BYTES).toFixed(2)} steps of data (the file is truncated or padded)`);
  }
  const n = recordValueCount(header.hyper);
  const out: ZoRecordStep[] = [];
  const all = new Float32Array(steps * n); // one buffer for every step's values: views, not 200k small buffers
  for (let i = 0; i < steps; i++, p += RECORD_STEP_BYTES) {
    const values = all.subarray(i * n, (i + 1) * n);
    out.push({ ...readBase(view, p, header.hyper, n, values), values });
  }
  return tornBytes ? { header, steps: out, tornBytes } : { header, steps: out };
}

function validateHeader(raw: unknown, file: string, version: number): ZoRecordHeader {
  const f = new FieldReader(file);
  const h = f.object(raw, 'header');
  if (h.format !== 'zo-studio-run') f.fail('header.format', '"zo-studio-run"', h.format);
  if (h.version !== version) f.fail('header.version', `${version} (as its magic says)`, h.version);
  const hyper = validateHyper(h.hyper, file, 'header.hyper');
  let extras: RecordExtraName[] | undefined;
  if (version < 3) {
    if (h.extras !== undefined) f.fail('header.extras', `absent in a version ${version} record (per-step extras came with version 3)`, h.extras);
  } else {
    const names = f.array(h.extras, 'header.extras').map((name, i): RecordExtraName => {
      if (!isRecordExtraName(name)) return f.fail(`header.extras[${i}]`, `one of ${Object.keys(RECORD_EXTRAS).join(', ')} (a newer ZO Studio may read others)`, name);
      return name;
    });
    if (new Set(names).size !== names.length) f.fail('header.extras', 'each extra listed once', h.extras);
    extras = names;
  }
  let meta: Record<string, unknown> | undefined;
  if (h.meta !== undefined) {
    meta = f.object(h.meta, 'header.meta');
    if (meta.config !== undefined) meta = { ...meta, config: validateTrainConfig(meta.config, file, 'header.meta.config') };
    if (meta.zopro !== undefined) validateZoproOptions(f, meta.zopro, 'header.meta.zopro');
  }
  return { format: 'zo-studio-run', version: version as 1 | 2 | 3, hyper, ...(extras ? { extras } : {}), ...(meta ? { meta } : {}) };
}
