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
import { floatToHalf, halfToFloat } from '../defs/halfFloat';
import type { ZoHyper } from '../defs/zoConfig';
import { recordDtype, recordValueCount, type ZoStepSummary } from '../defs/zoScript';

export const RECORD_STEP_BYTES = 16;
const MAGIC = [0x5a, 0x4f, 0x52, 0x45, 0x43, 0x01, 0, 0]; // "ZOREC", version 1

export interface ZoRecordHeader {
  format: 'zo-studio-run';
  version: 1;
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
}

export function newRecord(hyper: ZoHyper, meta?: Record<string, unknown>): ZoRunRecord {
  return { header: { format: 'zo-studio-run', version: 1, hyper: { ...hyper }, meta }, steps: [] };
}

/** The record entry of a step from its summary (ZoStepPlan.readSummary or ZoCpuPlan.step). */
export function recordStep(hyper: ZoHyper, step: number, s: ZoStepSummary): ZoRecordStep {
  const values = new Float32Array(recordValueCount(hyper));
  values.set(s.grads);
  if (hyper.optimizer === 'zo-sgd-cons') values[hyper.q] = s.choice;
  return { step, loss: s.loss, values };
}

export function encodeRunRecord(record: ZoRunRecord): Uint8Array {
  const hyper = record.header.hyper;
  const dtype = recordDtype(hyper);
  const n = recordValueCount(hyper);
  let json = JSON.stringify(record.header);
  let head = new TextEncoder().encode(json);
  while (head.length % 4 !== 0) head = new TextEncoder().encode((json += ' '));
  const out = new Uint8Array(8 + 4 + head.length + 4 + record.steps.length * RECORD_STEP_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  let p = 12 + head.length;
  view.setUint32(p, record.steps.length, true);
  p += 4;
  for (const s of record.steps) {
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

export function decodeRunRecord(bytes: Uint8Array): ZoRunRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a ZO Studio run record (bad magic)');
  const headBytes = view.getUint32(8, true);
  if (12 + headBytes + 4 > bytes.length) throw new Error('run record truncated in its header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headBytes))) as ZoRecordHeader;
  if (header.format !== 'zo-studio-run' || header.version !== 1) throw new Error(`unsupported run record ${header.format} v${header.version}`);
  let p = 12 + headBytes;
  const count = view.getUint32(p, true);
  p += 4;
  if (p + count * RECORD_STEP_BYTES !== bytes.length) throw new Error(`run record holds ${(bytes.length - p) / RECORD_STEP_BYTES} steps, header says ${count}`);
  const dtype = recordDtype(header.hyper);
  const n = recordValueCount(header.hyper);
  const steps: ZoRecordStep[] = [];
  for (let i = 0; i < count; i++, p += RECORD_STEP_BYTES) {
    const values = new Float32Array(n);
    for (let k = 0; k < n; k++) values[k] = dtype === 'f32' ? view.getFloat32(p + 8 + 4 * k, true) : halfToFloat(view.getUint16(p + 8 + 2 * k, true));
    steps.push({ step: view.getUint32(p, true), loss: view.getFloat32(p + 4, true), values });
  }
  return { header, steps };
}
