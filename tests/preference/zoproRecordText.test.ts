// The ZOPrO record's two text forms: the closed JSON object (the CLI's zopro-record.json and runs
// saved before records streamed) and the open form the app builds from step events (first line,
// then a line per step). Both decode to the same record; an open record plus a step line is the
// record of one more step.
import { describe, expect, it } from 'vitest';
import { decodeZoproRecord, encodeZoproRecord, type ZoproRecord } from '../../src/engine/preference/zopro';
import { encodeZoproHead, encodeZoproStepLine } from '../../src/engine/preference/zoproRecordText';
import { zoHyperFromConfig } from '../../src/engine/defs/zoConfig';
import { DEFAULT_TRAIN_CONFIG, DEFAULT_ZOPRO } from '../../src/engine/config';

const record: ZoproRecord = {
  hyper: zoHyperFromConfig({ ...DEFAULT_TRAIN_CONFIG, objective: 'zopro' }),
  options: { ...DEFAULT_ZOPRO },
  steps: [0, 1, 2].map((step) => ({ step, grad: 0.25 * (step - 1), lambda: 0.5 / (step + 1), terms: [{ step, coef: 1 }] })),
};

const join = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe('ZOPrO record text', () => {
  it('reads an old closed JSON record and the open form alike', () => {
    const open = join([encodeZoproHead(record), ...record.steps.map(encodeZoproStepLine)]);
    expect(decodeZoproRecord(encodeZoproRecord(record))).toEqual(record);
    expect(decodeZoproRecord(open)).toEqual(record);
  });

  it('an open record followed by a step line is the record with that step', () => {
    const open = join([encodeZoproHead(record), ...record.steps.slice(0, 2).map(encodeZoproStepLine)]);
    expect(decodeZoproRecord(open).steps).toHaveLength(2);
    expect(decodeZoproRecord(join([open, encodeZoproStepLine(record.steps[2])]))).toEqual(record);
    expect(decodeZoproRecord(encodeZoproHead(record)).steps).toEqual([]);
  });

  it('refuses bytes that are neither form', () => {
    expect(() => decodeZoproRecord(new TextEncoder().encode('{"hyper":1}\nnot json\n'))).toThrow(/not a ZOPrO record/);
  });
});
