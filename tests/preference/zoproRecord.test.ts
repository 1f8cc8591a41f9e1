// ZOPrO's record in the binary run record (preference/zoproRecord.ts, zo/record.ts v3): f64
// gradients, lambdas and direction terms round-trip verbatim; the JSON forms of older versions
// (closed object, JSON lines) convert to it, in the app's run-file check too; a record that is
// not ZOPrO's, or whose fields disagree, is refused naming the field. Exact: no tolerances.
import { describe, expect, it } from 'vitest';
import { InvalidFileError } from '../../src/engine/files/invalidFile';
import { decodeRunRecord, encodeRunRecord, newRecord, looksLikeRunRecord } from '../../src/engine/zo/record';
import { decodeZoproRecord, decodeZoproResume, encodeOpenZoproRecord, encodeZoproEntry, encodeZoproRecord, zoproRecordBytes, zoproRunRecord } from '../../src/engine/preference/zoproRecord';
import { encodeZoproHead, encodeZoproStepLine } from '../../src/engine/preference/zoproRecordText';
import { validateStoredRun } from '../../src/store/runFile';
import { demoZoproRecord } from '../fixtures/userFiles';
import { TASK_JSON } from '../fixtures/userFiles';
import { fieldOf } from '../helpers/recordFields';


const { record, config } = demoZoproRecord(5);
const legacy = { hyper: record.hyper, options: record.options, steps: record.steps.map(({ loss: _loss, ...s }) => s) };
const join = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const text = (s: string) => new TextEncoder().encode(s);

describe('ZOPrO binary record', () => {
  it('round-trips exactly (f64 grad, lambda and coefficients; f32 loss) with its options and meta in the header', () => {
    const bytes = encodeZoproRecord(record, { config, model: 'demo' });
    expect(bytes[5]).toBe(3);
    expect(decodeZoproRecord(bytes)).toEqual(record);
    const run = decodeRunRecord(bytes);
    expect(run.header.extras).toEqual(['zopro']);
    expect(run.header.meta).toEqual({ config, model: 'demo', zopro: record.options });
    // The base entry carries the gradient as f32 for tools and charts.
    expect(run.steps.map((s) => s.values[0])).toEqual(record.steps.map((s) => Math.fround(s.grad)));
    expect(decodeZoproResume(bytes).meta).toEqual(run.header.meta);
  });

  it('an open record plus step entries is the record of those steps', () => {
    const open = encodeOpenZoproRecord({ ...record, steps: record.steps.slice(0, 2) }, { config });
    const grown = join([open, ...record.steps.slice(2).map((s) => encodeZoproEntry(record.hyper, s))]);
    expect(decodeZoproRecord(grown)).toEqual(record);
  });

  it('refuses a record of another objective, steps out of order and a base value that disagrees, by field', () => {
    const zo = newRecord(record.hyper, { config });
    zo.steps.push({ step: 0, loss: 1, values: Float32Array.of(0.5) });
    expect(fieldOf(() => decodeZoproRecord(encodeRunRecord(zo), 'run.zorec'))).toBe('header.extras');
    expect(() => decodeZoproRecord(encodeRunRecord(zo), 'run.zorec')).toThrow(/not a ZOPrO record/);
    const skipped = zoproRunRecord(record, { config });
    skipped.steps[2].step = 7;
    expect(fieldOf(() => decodeZoproRecord(encodeRunRecord(skipped)))).toBe('steps[2].step');
    const off = zoproRunRecord(record, { config });
    off.steps[1].values[0] += 1;
    expect(fieldOf(() => decodeZoproRecord(encodeRunRecord(off)))).toBe('steps[1].values[0]');
    const noOptions = zoproRunRecord(record);
    delete noOptions.header.meta!.zopro;
    expect(fieldOf(() => decodeZoproRecord(encodeRunRecord(noOptions)))).toBe('header.meta.zopro');
    const badOptions = zoproRunRecord(record);
    badOptions.header.meta!.zopro = { ...record.options, k: 1 };
    expect(fieldOf(() => decodeZoproRecord(encodeRunRecord(badOptions)))).toBe('header.meta.zopro.k');
  });
});

describe('ZOPrO JSON records of older versions', () => {
  const closed = text(JSON.stringify(legacy));
  const open = join([encodeZoproHead(legacy), ...legacy.steps.map(encodeZoproStepLine)]);
  const withoutLoss = { ...record, steps: legacy.steps };

  it.each([['closed (zopro-record.json)', closed], ['open (JSON lines, the app)', open]])('%s converts to the binary record', (_name, bytes) => {
    expect(decodeZoproRecord(bytes)).toEqual(withoutLoss);
    const binary = zoproRecordBytes(bytes, 'old run', { config });
    expect(looksLikeRunRecord(binary)).toBe(true);
    expect(decodeZoproRecord(binary)).toEqual(withoutLoss);
    expect(decodeRunRecord(binary).header.meta?.config).toEqual(config);
  });

  it('names a bad field of an old record', () => {
    const bad = (change: (r: typeof legacy) => unknown) => text(JSON.stringify(change(structuredClone(legacy))));
    expect(fieldOf(() => decodeZoproRecord(bad((r) => ({ ...r, hyper: { ...r.hyper, lr: 'x' } }))))).toBe('hyper.lr');
    expect(fieldOf(() => decodeZoproRecord(bad((r) => ((r.steps[1] as { grad: unknown }).grad = 'x', r))))).toBe('steps[1].grad');
    expect(fieldOf(() => decodeZoproRecord(bad((r) => ((r.steps[2].step = 5), r))))).toBe('steps[2].step');
    expect(fieldOf(() => decodeZoproRecord(bad((r) => ((r.steps[3].terms[0].step = 9), r))))).toBe('steps[3].terms[0].step');
    expect(fieldOf(() => decodeZoproRecord(bad((r) => ((r.steps[0].terms = []), r))))).toBe('steps[0].zopro.terms');
    expect(fieldOf(() => decodeZoproRecord(bad((r) => ({ ...r, options: { ...r.options, k: 'four' } }))))).toBe('options.k');
  });

  it("the app's run-file check converts an old ZOPrO run's record and refuses a damaged one", () => {
    const run = (bytes: Uint8Array) => validateStoredRun({
      version: 1,
      meta: {
        id: 'old-zopro', name: 'Old ZOPrO', createdAt: 1, updatedAt: 2, config, state: 'paused',
        model: { source: { kind: 'demo' }, precision: 'f32', name: 'demo', maxSeqLen: 64 },
        task: { name: 'wn-animal-plant', demo: true, spec: JSON.parse(TASK_JSON) },
      },
      steps: { step: [], loss: [], smoothed: [], lossPlus: [], lossMinus: [], projectedGrad: [], lr: [], seed: [], millis: [] },
      evals: { step: [], split: [], accuracy: [], loss: [], n: [] },
      recordStep: 5,
    }, 'old.zo-run.json', bytes);
    const converted = run(open).record!;
    expect(looksLikeRunRecord(converted)).toBe(true);
    expect(decodeZoproRecord(converted)).toEqual(withoutLoss);
    expect(decodeRunRecord(converted).header.meta?.config).toEqual(config);
    // A binary record passes as it is.
    const binary = encodeZoproRecord(record, { config });
    expect(run(binary).record).toBe(binary);
    expect(() => run(text('{"hyper": 1}'))).toThrow(InvalidFileError);
  });
});
