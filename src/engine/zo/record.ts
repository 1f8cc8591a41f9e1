// The compact run record: enough to replay a ZO run bit for bit (MeZO, Malladi et al. 2023,
// Sec. 2: "store the seeds and projected gradients" instead of weights). Layout (little endian):
//   "ZOREC\x01\0\0"  u32 headerBytes  header JSON (UTF-8, space-padded to 4)  u32 stepCount
//   stepCount x 16 bytes: u32 step | f32 loss | 8 bytes of values
// The values are the projected gradients g_0..g_{q-1} (then the ZO-SGD-Cons choice): f32 when
// they fit in 8 bytes (q = 1, or q = 2, or Cons with q = 1), f16 otherwise (up to 4 values).
// Why f16 is safe: training itself applies the f16-rounded g (zo_grad.wgsl ROUND_F16), so replay
// uses exactly what training used; a relative rounding of 2^-11 is far below the estimator's own
// noise (relative variance ~ d / q). z needs no bytes: it is a function of (seed, step, j, stream).
// The step index is stored (not implied) so records of resumed runs may skip or repeat steps.
//
// Versions: v1 (magic byte 1, header.version 1) always holds its step count. v2 (magic byte 2,
// header.version 2) may also be *open*: stepCount 0xFFFFFFFF means "the steps run to the end of
// the file", so a run can append 16 bytes per step as it goes (the CLI) and a killed run leaves
// a record whose complete steps are all readable; a torn last step is dropped and reported.
// Both versions are read; new records are written as v2. Every header field is validated
// (defs/zoConfig.ts validateHyper, zo/validateConfig.ts for meta.config): a bad one is an
// InvalidFileError naming the field, never a NaN replay.
import { floatToHalf, halfToFloat } from '../defs/halfFloat';
import { InvalidFileError, parseJsonFile } from '../files/invalidFile';
import { FieldReader } from '../files/fields';
import { validateHyper, type ZoHyper } from '../defs/zoConfig';
import { validateTrainConfig } from './validateConfig';
import { recordDtype, recordValueCount, type ZoStepSummary } from '../defs/zoScript';

export const RECORD_STEP_BYTES = 16;
export const RECORD_VERSION = 2;
/** stepCount of an open record: its steps run to the end of the file. */
export const OPEN_STEP_COUNT = 0xffffffff;
const MAGIC_PREFIX = [0x5a, 0x4f, 0x52, 0x45, 0x43]; // "ZOREC", then the version byte and 0 0
const magic = (version: number) => [...MAGIC_PREFIX, version, 0, 0];

export interface ZoRecordHeader {
  format: 'zo-studio-run';
  /** 1: older records (always closed); 2: may be open (written as the run goes). */
  version: 1 | 2;
  hyper: ZoHyper;
  /** The full TrainConfig and anything else the caller wants kept (model name, file hashes). */
  meta?: Record<string, unknown>;
}

export interface ZoRecordStep {
  step: number;
  /** The step's loss (summary.loss), for charts; replay does not need it. */
  loss: number;
  /** g_0..g_{q-1}, then the ZO-SGD-Cons choice. */
  values: Float32Array;
}

export interface ZoRunRecord {
  header: ZoRecordHeader;
  steps: ZoRecordStep[];
  /** Bytes of a torn last step an open record ended with (a run killed while writing it); dropped. */
  tornBytes?: number;
}

export function newRecord(hyper: ZoHyper, meta?: Record<string, unknown>): ZoRunRecord {
  return { header: { format: 'zo-studio-run', version: RECORD_VERSION, hyper: { ...hyper }, meta }, steps: [] };
}

/** The record entry of a step from its summary (ZoStepPlan.readSummary or ZoCpuPlan.step). */
export function recordStep(hyper: ZoHyper, step: number, s: ZoStepSummary): ZoRecordStep {
  const values = new Float32Array(recordValueCount(hyper));
  values.set(s.grads);
  if (hyper.optimizer === 'zo-sgd-cons') values[hyper.q] = s.choice;
  return { step, loss: s.loss, values };
}

/** Magic, header and step count: everything before the steps. `open`: steps run to the end of the file. */
export function encodeRecordHead(header: ZoRecordHeader, stepCount: number | 'open'): Uint8Array {
  const h: ZoRecordHeader = { ...header, version: RECORD_VERSION };
  let json = JSON.stringify(h);
  let head = new TextEncoder().encode(json);
  while (head.length % 4 !== 0) head = new TextEncoder().encode((json += ' '));
  const out = new Uint8Array(8 + 4 + head.length + 4);
  const view = new DataView(out.buffer);
  out.set(magic(RECORD_VERSION), 0);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  view.setUint32(12 + head.length, stepCount === 'open' ? OPEN_STEP_COUNT : stepCount, true);
  return out;
}

/** The 16-byte entries of `steps`, back to back (what an open record appends). */
export function encodeRecordSteps(hyper: ZoHyper, steps: readonly ZoRecordStep[]): Uint8Array {
  const dtype = recordDtype(hyper);
  const n = recordValueCount(hyper);
  const out = new Uint8Array(steps.length * RECORD_STEP_BYTES);
  const view = new DataView(out.buffer);
  let p = 0;
  for (const s of steps) {
    if (s.values.length !== n) throw new Error(`record step ${s.step}: ${s.values.length} values, expected ${n}`);
    view.setUint32(p, s.step >>> 0, true);
    view.setFloat32(p + 4, s.loss, true);
    for (let k = 0; k < n; k++) {
      if (dtype === 'f32') view.setFloat32(p + 8 + 4 * k, s.values[k], true);
      else view.setUint16(p + 8 + 2 * k, floatToHalf(s.values[k]), true);
    }
    p += RECORD_STEP_BYTES;
  }
  return out;
}

export function encodeRunRecord(record: ZoRunRecord): Uint8Array {
  const head = encodeRecordHead(record.header, record.steps.length);
  const steps = encodeRecordSteps(record.header.hyper, record.steps);
  const out = new Uint8Array(head.length + steps.length);
  out.set(head, 0);
  out.set(steps, head.length);
  return out;
}

/** The record open (v2): the same steps, and later 16-byte entries may follow it. */
export function encodeOpenRecord(record: ZoRunRecord): Uint8Array {
  const head = encodeRecordHead(record.header, 'open');
  const steps = encodeRecordSteps(record.header.hyper, record.steps);
  const out = new Uint8Array(head.length + steps.length);
  out.set(head, 0);
  out.set(steps, head.length);
  return out;
}

/**
 * Reads a record (v1 or v2, closed or open) and validates its header: the hyperparameters and,
 * when present, the training config in meta.config. `file` names it in errors (a path, "run file").
 */
export function decodeRunRecord(bytes: Uint8Array, file = 'run record'): ZoRunRecord {
  const fail = (field: string, expected: string, found?: string): never => {
    throw new InvalidFileError(file, field, expected, found);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || MAGIC_PREFIX.some((b, i) => bytes[i] !== b) || bytes[6] !== 0 || bytes[7] !== 0) {
    fail('its first 8 bytes', 'the ZO Studio run record magic "ZOREC" (bad magic: this is not a run record)');
  }
  const version = bytes[5];
  if (version !== 1 && version !== 2) fail('its format version', `1 or ${RECORD_VERSION} (a newer ZO Studio may read it)`, String(version));
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
  const room = bytes.length - p;
  let steps = count;
  let tornBytes = 0;
  if (count === OPEN_STEP_COUNT && version >= 2) {
    steps = Math.floor(room / RECORD_STEP_BYTES);
    tornBytes = room - steps * RECORD_STEP_BYTES;
  } else if (count * RECORD_STEP_BYTES !== room) {
    fail('its step count', `${count} steps of ${RECORD_STEP_BYTES} bytes after the header`, `${(room / RECORD_STEP_BYTES).toFixed(2)} steps of data (the file is truncated or padded)`);
  }
  const dtype = recordDtype(header.hyper);
  const n = recordValueCount(header.hyper);
  const out: ZoRecordStep[] = [];
  const all = new Float32Array(steps * n); // one buffer for every step's values: views, not 200k small buffers
  for (let i = 0; i < steps; i++, p += RECORD_STEP_BYTES) {
    const values = all.subarray(i * n, (i + 1) * n);
    for (let k = 0; k < n; k++) values[k] = dtype === 'f32' ? view.getFloat32(p + 8 + 4 * k, true) : halfToFloat(view.getUint16(p + 8 + 2 * k, true));
    out.push({ step: view.getUint32(p, true), loss: view.getFloat32(p + 4, true), values });
  }
  return tornBytes ? { header, steps: out, tornBytes } : { header, steps: out };
}

function validateHeader(raw: unknown, file: string, version: number): ZoRecordHeader {
  const f = new FieldReader(file);
  const h = f.object(raw, 'header');
  if (h.format !== 'zo-studio-run') f.fail('header.format', '"zo-studio-run"', h.format);
  if (h.version !== version) f.fail('header.version', `${version} (as its magic says)`, h.version);
  const hyper = validateHyper(h.hyper, file, 'header.hyper');
  let meta: Record<string, unknown> | undefined;
  if (h.meta !== undefined) {
    meta = f.object(h.meta, 'header.meta');
    if (meta.config !== undefined) meta = { ...meta, config: validateTrainConfig(meta.config, file, 'header.meta.config') };
  }
  return { format: 'zo-studio-run', version: version as 1 | 2, hyper, ...(meta ? { meta } : {}) };
}
