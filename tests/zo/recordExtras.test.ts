// Run records v3: per-step extras after each 16-byte base entry (zo/record.ts, zo/recordExtras.ts).
// One row per extra kind: its payload round-trips exactly (f64 fields verbatim) in closed and open
// records, an open record drops and reports a torn last entry, and every payload field that is
// damaged is refused by name. Records without extras stay v2, 16 bytes a step. Tolerance: exact.
import { describe, expect, it } from 'vitest';
import { ZO_DEFAULTS, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { decodeRunRecord, encodeOpenRecord, encodeRecordSteps, encodeRunRecord, newRecord, RECORD_STEP_BYTES, type RecordExtraName, type ZoRecordStep, type ZoRunRecord } from '../../src/engine/zo/record';
import { RECORD_EXTRAS, type RecordExtras } from '../../src/engine/zo/recordExtras';
import { fieldOf, rawRecord } from '../helpers/recordFields';

const hyper: ZoHyper = { ...ZO_DEFAULTS, seed: 5, steps: 4 };

/** Per extra kind: the value of step `i`, and damage to its payload with the field it must name. */
const KINDS: { [K in RecordExtraName]: { value: (i: number) => RecordExtras[K]; damage: [string, (view: DataView) => void, string][] } } = {
  zopro: {
    value: (i) => ({ grad: 0.1 * (i + 1) + 1e-12, lambda: 0.5 / (i + 1), terms: Array.from({ length: i + 1 }, (_, k) => ({ step: k, coef: Math.PI / (k + 3) })) }),
    damage: [
      ['a NaN grad', (v) => v.setFloat64(0, NaN, true), 'steps[1].zopro.grad'],
      ['lambda 2', (v) => v.setFloat64(8, 2, true), 'steps[1].zopro.lambda'],
      ['no terms', (v) => v.setUint32(16, 0, true), 'steps[1].zopro.terms'],
      ['more terms than the payload holds', (v) => v.setUint32(16, 3, true), 'steps[1].zopro'],
      ['a term of a later step', (v) => v.setUint32(20, 7, true), 'steps[1].zopro.terms[0].step'],
      ['an infinite coefficient', (v) => v.setFloat64(24, Infinity, true), 'steps[1].zopro.terms[0].coef'],
    ],
  },
  'row-derivs': {
    // Values a half float holds exactly, so the round trip is exact.
    value: (i) => Float32Array.from({ length: i + 2 }, (_, r) => (r % 2 ? -1 : 1) * (0.125 * (r + 1) + i)),
    damage: [
      ['no rows', (v) => v.setUint32(0, 0, true), 'steps[1].row-derivs.rows'],
      ['more rows than the payload holds', (v) => v.setUint32(0, 5, true), 'steps[1].row-derivs'],
      ['a NaN derivative', (v) => v.setUint16(4, 0x7e00, true), 'steps[1].row-derivs[0]'],
    ],
  },
};

function recordWith(name: RecordExtraName, steps: number): ZoRunRecord {
  const rec = newRecord(hyper, { model: 'demo' }, [name]);
  for (let i = 0; i < steps; i++) rec.steps.push({ step: i, loss: 0.25 * i, values: Float32Array.of(i / 8), extras: { [name]: KINDS[name].value(i) } } as ZoRecordStep);
  return rec;
}

describe.each(Object.keys(RECORD_EXTRAS) as RecordExtraName[])('record extra %s', (name) => {
  it('round-trips exactly in closed and open records, as version 3', () => {
    const rec = recordWith(name, 3);
    for (const bytes of [encodeRunRecord(rec), encodeOpenRecord(rec)]) {
      expect(bytes[5]).toBe(3);
      const back = decodeRunRecord(bytes);
      expect(back.header).toEqual(rec.header);
      expect(back.steps).toEqual(rec.steps);
      expect(back.tornBytes).toBeUndefined();
    }
  });

  it('an open record plus appended entries is the longer record; a torn last entry is dropped and reported', () => {
    const rec = recordWith(name, 3);
    const head = encodeOpenRecord({ ...rec, steps: rec.steps.slice(0, 1) });
    const more = encodeRecordSteps(hyper, rec.steps.slice(1), rec.header.extras);
    const file = Uint8Array.from([...head, ...more]);
    expect(decodeRunRecord(file).steps).toEqual(rec.steps);
    const last = encodeRecordSteps(hyper, rec.steps.slice(2), rec.header.extras).length;
    for (const cut of [1, 5, RECORD_STEP_BYTES + 2, last - 1]) {
      const torn = decodeRunRecord(file.subarray(0, file.length - cut));
      expect(torn.steps).toEqual(rec.steps.slice(0, 2));
      expect(torn.tornBytes).toBe(last - cut);
    }
    // A closed record cut short is damage, not a torn tail; so are bytes after its last step.
    const closed = encodeRunRecord(rec);
    expect(fieldOf(() => decodeRunRecord(closed.subarray(0, closed.length - 4)))).toBe('its step count');
    expect(fieldOf(() => decodeRunRecord(Uint8Array.from([...closed, 0, 0, 0, 0])))).toBe('its step count');
  });

  it.each(KINDS[name].damage)('names the field: %s', (_what, damage, field) => {
    const rec = recordWith(name, 3);
    const bytes = encodeRunRecord(rec);
    const first = encodeRunRecord({ ...rec, steps: rec.steps.slice(0, 1) }).length;
    const payload = first + RECORD_STEP_BYTES + 4; // step 1's first (only) payload
    damage(new DataView(bytes.buffer, payload));
    expect(fieldOf(() => decodeRunRecord(bytes))).toBe(field);
  });
});

describe('record header extras', () => {
  it('a record without extras is still written as v2, 16 bytes a step', () => {
    const rec = newRecord(hyper);
    rec.steps.push({ step: 0, loss: 1, values: Float32Array.of(0.5) });
    const bytes = encodeRunRecord(rec);
    expect(bytes[5]).toBe(2);
    expect(bytes.length - encodeRunRecord({ ...rec, steps: [] }).length).toBe(RECORD_STEP_BYTES);
  });

  it('refuses unknown, repeated or misplaced extras by name', () => {
    const h = { format: 'zo-studio-run', version: 3, hyper };
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...h, extras: ['row-shuffles'] }, 0, 3)))).toBe('header.extras[0]');
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...h, extras: ['zopro', 'zopro'] }, 0, 3)))).toBe('header.extras');
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...h, extras: 'zopro' }, 0, 3)))).toBe('header.extras');
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...h, version: 2, extras: ['zopro'] }, 0, 2)))).toBe('header.extras');
    expect(decodeRunRecord(rawRecord({ ...h, extras: ['zopro'] }, 0, 3)).header.extras).toEqual(['zopro']);
  });

  it('a step without an extra the header lists is a programming error at write time', () => {
    const rec = newRecord(hyper, undefined, ['zopro']);
    rec.steps.push({ step: 0, loss: 1, values: Float32Array.of(0.5) });
    expect(() => encodeRunRecord(rec)).toThrow(/no 'zopro' extra/);
  });
});
