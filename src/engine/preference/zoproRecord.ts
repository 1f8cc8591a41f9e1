// ZOPrO's record in the one binary run record (zo/record.ts v3): header.extras ['zopro'], the run's
// resolved options in header.meta.zopro, and per step the 16-byte base (the step, its loss, its
// projected gradient as f32) plus the 'zopro' payload (zo/recordExtras.ts: f64 grad and lambda, the
// mixed direction's terms), which is what replay applies, so it stays bit-exact. Records written
// before this (JSON, zoproRecordText.ts) still read and convert. Pure: the app's run-file check
// reads it without the GPU code.
import { DEFAULT_ZOPRO } from '../config/defaults';
import { validateHyper, type ZoHyper } from '../defs/zoConfig';
import { recordValueCount } from '../defs/zoScript';
import { FieldReader } from '../files/fields';
import { InvalidFileError } from '../files/invalidFile';
import { decodeRunRecord, encodeOpenRecord, encodeRecordSteps, encodeRunRecord, looksLikeRunRecord, newRecord, type ZoRecordStep, type ZoRunRecord } from '../zo/record';
import { validateZoproOptions } from '../zo/validateConfig';
import { parseZoproRecordText, type ZoproRecord, type ZoproRecordStep } from './zoproRecordText';

export type { ZoproRecord, ZoproRecordStep };

/** The extras a ZOPrO record lists. */
export const ZOPRO_EXTRAS = ['zopro'] as const;

/** A step's binary entry: the base carries the f32 projected gradient (charts, tools), the payload the exact one. */
export function zoproEntryStep(hyper: ZoHyper, s: ZoproRecordStep): ZoRecordStep {
  const values = new Float32Array(recordValueCount(hyper));
  values[0] = s.grad;
  return { step: s.step, loss: s.loss ?? NaN, values, extras: { zopro: { grad: s.grad, lambda: s.lambda, terms: s.terms } } };
}

/** The binary record of a ZOPrO run; `meta`: the config, model and whatever else the header keeps. */
export function zoproRunRecord(r: ZoproRecord, meta: Record<string, unknown> = {}): ZoRunRecord {
  const record = newRecord(r.hyper, { ...meta, zopro: r.options }, [...ZOPRO_EXTRAS]);
  record.steps = r.steps.map((s) => zoproEntryStep(r.hyper, s));
  return record;
}

/** The closed binary record (run.zorec). */
export function encodeZoproRecord(r: ZoproRecord, meta?: Record<string, unknown>): Uint8Array {
  return encodeRunRecord(zoproRunRecord(r, meta));
}

/** The open binary record: later steps' entries (encodeZoproEntry) may be appended to it. */
export function encodeOpenZoproRecord(r: ZoproRecord, meta?: Record<string, unknown>): Uint8Array {
  return encodeOpenRecord(zoproRunRecord(r, meta));
}

/** One step's entry, to append to an open ZOPrO record. */
export function encodeZoproEntry(hyper: ZoHyper, s: ZoproRecordStep): Uint8Array {
  return encodeRecordSteps(hyper, [zoproEntryStep(hyper, s)], ZOPRO_EXTRAS);
}

/**
 * The ZOPrO record of a decoded binary record, checked: it lists the 'zopro' extra and holds the
 * options, its steps run 0, 1, 2, ... (replay re-applies them in order), and each base value is the
 * payload's gradient rounded to f32. A loss of NaN (converted from JSON, which had none) is left out.
 */
export function zoproRecordFrom(run: ZoRunRecord, file = 'run record'): ZoproRecord {
  const fail = (field: string, expected: string, found?: string): never => {
    throw new InvalidFileError(file, field, expected, found);
  };
  const { header } = run;
  if (!header.extras?.includes('zopro')) fail('header.extras', `to list "zopro" (this run record is not a ZOPrO record: was the run trained with another objective?)`, JSON.stringify(header.extras ?? []));
  if (header.meta?.zopro === undefined) fail('header.meta.zopro', 'the ZOPrO options the run was trained with', 'missing');
  const steps = run.steps.map((s, i): ZoproRecordStep => {
    if (s.step !== i) fail(`steps[${i}].step`, `${i} (a ZOPrO record holds its steps from 0, in order)`, String(s.step));
    const z = s.extras!.zopro!;
    if (s.values[0] !== Math.fround(z.grad)) fail(`steps[${i}].values[0]`, `the step's gradient ${z.grad} rounded to f32`, String(s.values[0]));
    return { step: s.step, grad: z.grad, lambda: z.lambda, terms: z.terms, ...(Number.isNaN(s.loss) ? {} : { loss: s.loss }) };
  });
  return { hyper: header.hyper, options: header.meta!.zopro as ZoproRecord['options'], steps };
}

/**
 * A ZOPrO record to continue, and the header meta its binary record keeps (a resumed run keeps
 * the record's header, as ZO runs do; a record of an older version, JSON, has none).
 */
export function decodeZoproResume(bytes: Uint8Array, file = 'run record'): { record: ZoproRecord; meta?: Record<string, unknown> } {
  if (!looksLikeRunRecord(bytes)) return { record: decodeZoproRecord(bytes, file) };
  const run = decodeRunRecord(bytes, file);
  return { record: zoproRecordFrom(run, file), meta: run.header.meta };
}

/**
 * A ZOPrO record from its bytes: the binary run record, or either JSON form of records written
 * before it (zoproRecordText.ts), every field checked. `file` names it in errors.
 */
export function decodeZoproRecord(bytes: Uint8Array, file = 'run record'): ZoproRecord {
  if (looksLikeRunRecord(bytes)) return zoproRecordFrom(decodeRunRecord(bytes, file), file);
  let raw: Record<string, unknown>;
  try {
    raw = parseZoproRecordText(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidFileError(file, 'its bytes', 'a ZOPrO run record (run.zorec, or the JSON zopro-record.json of older versions)', 'not a ZOPrO record: neither a run record nor JSON; was the run trained with another objective?');
  }
  return zoproRecordFromJson(raw, file);
}

/**
 * Converts a ZOPrO record in an older JSON form to the binary record (`meta`: what the header
 * keeps, e.g. the config); a binary record is returned as it is. Both are checked field by field.
 */
export function zoproRecordBytes(bytes: Uint8Array, file: string, meta?: Record<string, unknown>): Uint8Array {
  if (looksLikeRunRecord(bytes)) {
    decodeZoproRecord(bytes, file);
    return bytes;
  }
  return encodeZoproRecord(decodeZoproRecord(bytes, file), meta);
}

/** A JSON-form record, every field checked (then round-tripped through the binary checks). */
function zoproRecordFromJson(raw: Record<string, unknown>, file: string): ZoproRecord {
  const f = new FieldReader(file);
  const r = f.object(raw, 'the record');
  const hyper = validateHyper(r.hyper, file, 'hyper');
  // Records of older versions hold every option then known; ones added later take their defaults.
  const options = validateZoproOptions(f, { ...DEFAULT_ZOPRO, ...f.object(r.options, 'options') }, 'options');
  const steps = f.array(r.steps, 'steps').map((rawStep, i): ZoproRecordStep => {
    const s = f.object(rawStep, `steps[${i}]`);
    return {
      step: f.integer(s.step, `steps[${i}].step`, i, i),
      grad: f.number(s.grad, `steps[${i}].grad`),
      lambda: f.number(s.lambda, `steps[${i}].lambda`, { min: 0, max: 1 }),
      terms: f.array(s.terms, `steps[${i}].terms`).map((t, j) => {
        const term = f.object(t, `steps[${i}].terms[${j}]`);
        return { step: f.integer(term.step, `steps[${i}].terms[${j}].step`, 0, i), coef: f.number(term.coef, `steps[${i}].terms[${j}].coef`) };
      }),
    };
  });
  const record: ZoproRecord = { hyper, options, steps };
  // The binary form's checks too (term counts, finite values), so a converted record always reads back.
  return zoproRecordFrom(decodeRunRecord(encodeZoproRecord(record), file), file);
}
