// Per-step extras of a run record (zo/record.ts, version 3): data some objectives need per step
// beyond the 16-byte base entry. A record's header names its extras (header.extras, in order);
// each step's entry then carries, after its 16 bytes, one payload per named extra (u32 byte
// length, the bytes, zero padding to 4). Adding a kind: a field in RecordExtras (its value
// type), a codec in RECORD_EXTRAS (encode to bytes; decode validating every field, naming it
// through `fail`), and a row in tests/zo/recordExtras.test.ts. Kept in the zo layer (pure, no
// GPU) so the record reader can validate every payload and the app's run-file check can too.
import { MAX_MIX_TERMS, type MixTerm } from '../defs/zoMix';
import { floatToHalf, halfToFloat } from '../defs/halfFloat';

/** Throws the record's InvalidFileError naming `field` (record.ts passes its own). */
export type RecordFail = (field: string, expected: string, found?: string) => never;

export interface RecordExtraCodec<T> {
  /** One step's payload (any length: the record pads it to 4 bytes). */
  encode(value: T): Uint8Array;
  /**
   * Reads one step's payload back, validating every field; `at` names the entry in errors
   * ("steps[3].zopro"), `step` is the entry's step index.
   */
  decode(payload: DataView, at: string, fail: RecordFail, step: number): T;
}

/**
 * ZOPrO's step (preference/zopro.ts): its projected gradient and mixing weight as training
 * computed them (f64: replay applies exactly these), and its direction's terms
 * z = sum coef_m n(step_m). Payload: f64 grad | f64 lambda | u32 count | count x (u32 step | f64 coef).
 */
export interface ZoproStepExtra {
  grad: number;
  lambda: number;
  terms: MixTerm[];
}

const ZOPRO_EXTRA: RecordExtraCodec<ZoproStepExtra> = {
  encode(v) {
    const out = new Uint8Array(20 + 12 * v.terms.length);
    const view = new DataView(out.buffer);
    view.setFloat64(0, v.grad, true);
    view.setFloat64(8, v.lambda, true);
    view.setUint32(16, v.terms.length, true);
    v.terms.forEach((t, i) => {
      view.setUint32(20 + 12 * i, t.step, true);
      view.setFloat64(24 + 12 * i, t.coef, true);
    });
    return out;
  },
  decode(view, at, fail, step) {
    if (view.byteLength < 20) fail(`${at}.zopro`, 'at least 20 bytes (grad, lambda, term count)', `${view.byteLength} bytes`);
    const grad = view.getFloat64(0, true);
    if (!Number.isFinite(grad)) fail(`${at}.zopro.grad`, 'a finite number', String(grad));
    const lambda = view.getFloat64(8, true);
    if (!(lambda >= 0 && lambda <= 1)) fail(`${at}.zopro.lambda`, 'a number in [0, 1]', String(lambda));
    const count = view.getUint32(16, true);
    if (count < 1 || count > MAX_MIX_TERMS) fail(`${at}.zopro.terms`, `1 to ${MAX_MIX_TERMS} terms`, String(count));
    if (view.byteLength !== 20 + 12 * count) fail(`${at}.zopro`, `${20 + 12 * count} bytes for ${count} terms`, `${view.byteLength} bytes`);
    const terms: MixTerm[] = [];
    for (let i = 0; i < count; i++) {
      const termStep = view.getUint32(20 + 12 * i, true);
      if (termStep > step) fail(`${at}.zopro.terms[${i}].step`, `a step at most ${step} (the direction mixes this and earlier steps' noise)`, String(termStep));
      const coef = view.getFloat64(24 + 12 * i, true);
      if (!Number.isFinite(coef)) fail(`${at}.zopro.terms[${i}].coef`, 'a finite number', String(coef));
      terms.push({ step: termStep, coef });
    }
    return { grad, lambda, terms };
  },
};

/** Most rows one step's batch can hold in a 'row-derivs' payload. */
export const MAX_ROW_DERIVS = 65536;

/**
 * A ZO step's per-row directional derivatives d_i = (L_i(theta + eps z) - L_i(theta - eps z)) / 2 eps,
 * in the order of the step's batch (influence/trajectory.ts attributes the step to its rows with
 * them). Payload: u32 rows | rows x f16. f16 keeps 11 bits, far below the estimator's own noise.
 */
const ROW_DERIVS_EXTRA: RecordExtraCodec<Float32Array> = {
  encode(v) {
    const out = new Uint8Array(4 + 2 * v.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, v.length, true);
    v.forEach((d, i) => view.setUint16(4 + 2 * i, floatToHalf(d), true));
    return out;
  },
  decode(view, at, fail) {
    return decodeRowDerivs(view, at, fail);
  },
};

function decodeRowDerivs(view: DataView, at: string, bad: RecordFail): Float32Array {
  if (view.byteLength < 4) bad(`${at}.row-derivs`, 'at least 4 bytes (the row count)', `${view.byteLength} bytes`);
  const rows = view.getUint32(0, true);
  if (rows < 1 || rows > MAX_ROW_DERIVS) bad(`${at}.row-derivs.rows`, `1 to ${MAX_ROW_DERIVS} rows`, String(rows));
  if (view.byteLength !== 4 + 2 * rows) bad(`${at}.row-derivs`, `${4 + 2 * rows} bytes for ${rows} rows`, `${view.byteLength} bytes`);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const d = halfToFloat(view.getUint16(4 + 2 * i, true));
    if (!Number.isFinite(d)) bad(`${at}.row-derivs[${i}]`, 'a finite half float', String(d));
    out[i] = d;
  }
  return out;
}

/** The value type of each extra kind, by the name the header lists it under. */
export interface RecordExtras {
  zopro: ZoproStepExtra;
  'row-derivs': Float32Array;
}
export type RecordExtraName = keyof RecordExtras;

export const RECORD_EXTRAS: { readonly [K in RecordExtraName]: RecordExtraCodec<RecordExtras[K]> } = {
  zopro: ZOPRO_EXTRA,
  'row-derivs': ROW_DERIVS_EXTRA,
};

export function isRecordExtraName(name: unknown): name is RecordExtraName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(RECORD_EXTRAS, name);
}
