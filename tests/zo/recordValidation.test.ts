// Run records are user files: every header field is validated and named when wrong (a missing
// lr or schedule used to replay into NaN), old v1 records still read, an open v2 record (written
// as a run goes) reads up to its last complete step, and a resume under another config is
// refused naming the fields that differ. Exact checks: no tolerances involved.
import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../src/engine/api';
import { ZO_DEFAULTS, zoHyperFromConfig, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { decodeRunRecord, encodeRecordHead, encodeRecordSteps, encodeRunRecord, newRecord, RECORD_STEP_BYTES } from '../../src/engine/zo/record';
import { checkResumeConfig, ResumeMismatchError } from '../../src/engine/zo/validateConfig';
import { fieldOf, rawRecord } from '../helpers/recordFields';


const config: TrainConfig = {
  mode: 'lora', optimizer: 'zo-sgd', objective: 'classification', steps: 20, lr: 1e-3, eps: 1e-3, batch: 4, q: 1, seed: 3,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 0,
  lora: { rank: 4, alpha: 8, targets: ['q', 'v'] },
};
const hyper = zoHyperFromConfig(config);

describe('run record validation', () => {
  const header = { format: 'zo-studio-run', version: 2, hyper, meta: { config, model: 'demo' } };

  it.each(Object.keys(ZO_DEFAULTS) as (keyof ZoHyper)[])('names hyper.%s when it is missing or of the wrong type or range', (key) => {
    for (const bad of [undefined, 'x', null, -1, 1e400]) {
      if (key === 'weightDecay' && bad === 1e400) continue; // Infinity is not finite: caught below too
      const h = { ...hyper, [key]: bad };
      if (key === 'oneSided' && typeof bad === 'number') continue; // no numeric range for a boolean
      expect(fieldOf(() => decodeRunRecord(rawRecord({ ...header, hyper: h }), 'run.zorec'))).toBe(`header.hyper.${key}`);
    }
  });

  it.each([
    ['meta.config: null', { config: null }, 'header.meta.config'],
    ['steps: "x"', { config: { ...config, steps: 'x' } }, 'header.meta.config.steps'],
    ['lr missing', { config: { ...config, lr: undefined } }, 'header.meta.config.lr'],
    ['unknown schedule', { config: { ...config, schedule: 'step' } }, 'header.meta.config.schedule'],
    ['LoRA rank 0', { config: { ...config, lora: { rank: 0, alpha: 8, targets: ['q'] } } }, 'header.meta.config.lora.rank'],
    ['LoRA targets not a list', { config: { ...config, lora: { rank: 4, alpha: 8, targets: 'q' } } }, 'header.meta.config.lora.targets'],
    ['sparse fraction 2', { config: { ...config, sparse: { fraction: 2, score: 'random', calibrationRows: 1 } } }, 'header.meta.config.sparse.fraction'],
    ['a block scale of 0', { config: { ...config, blockScales: { w: 0 } } }, 'header.meta.config.blockScales["w"]'],
  ])('names the config field: %s', (_name, meta, field) => {
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...header, meta }), 'run.zorec'))).toBe(field);
  });

  it('refuses headers that are not JSON objects, and unknown versions', () => {
    expect(fieldOf(() => decodeRunRecord(rawRecord([1, 2])))).toBe('header');
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...header, format: 'x' })))).toBe('header.format');
    expect(fieldOf(() => decodeRunRecord(rawRecord(header, 0, 9)))).toBe('its format version');
    expect(fieldOf(() => decodeRunRecord(rawRecord({ ...header, version: 1 })))).toBe('header.version');
    const text = rawRecord(header);
    text[12] = 0x7b;
    text[13] = 0x7b;
    expect(fieldOf(() => decodeRunRecord(text))).toBe('its text');
  });

  it('still reads a v1 record', () => {
    const rec = newRecord(hyper, { config });
    rec.steps.push({ step: 0, loss: 0.5, values: Float32Array.of(0.25) });
    const v1 = rawRecord({ ...header, version: 1 }, 1, 1);
    v1.set(encodeRecordSteps(hyper, rec.steps), v1.length - RECORD_STEP_BYTES);
    const back = decodeRunRecord(v1);
    expect(back.header.version).toBe(1);
    expect(back.header.hyper).toEqual(hyper);
    expect(back.steps.map((s) => [s.step, s.loss, s.values[0]])).toEqual([[0, 0.5, 0.25]]);
    // Written back, it becomes a v2 record with the same content.
    expect(decodeRunRecord(encodeRunRecord(back)).steps).toEqual(back.steps);
  });

  it('reads an open record up to its last complete step and reports a torn tail', () => {
    const rec = newRecord(hyper, { config });
    for (let i = 0; i < 3; i++) rec.steps.push({ step: i, loss: i, values: Float32Array.of(i / 4) });
    const head = encodeRecordHead(rec.header, 'open');
    const body = encodeRecordSteps(hyper, rec.steps);
    const file = new Uint8Array(head.length + body.length);
    file.set(head);
    file.set(body, head.length);
    expect(decodeRunRecord(file).steps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(decodeRunRecord(file).tornBytes).toBeUndefined();
    const torn = decodeRunRecord(file.subarray(0, file.length - 5));
    expect(torn.steps.map((s) => s.step)).toEqual([0, 1]);
    expect(torn.tornBytes).toBe(11);
    // A closed record that is cut short is damage, not a torn tail.
    expect(fieldOf(() => decodeRunRecord(encodeRunRecord(rec).subarray(0, file.length - 5)))).toBe('its step count');
  });
});

describe('resume under another config', () => {
  const record = newRecord(hyper, { config });

  it('accepts the same config (evaluation settings may change)', () => {
    expect(() => checkResumeConfig(record, { ...config, evalEvery: 5, evalLimit: 10 })).not.toThrow();
  });

  it('refuses a LoRA record resumed in full mode, naming mode and lora', () => {
    const e = (() => {
      try {
        checkResumeConfig(record, { ...config, mode: 'full', lora: undefined }, 'run.zorec');
      } catch (err) {
        return err as ResumeMismatchError;
      }
    })();
    expect(e).toBeInstanceOf(ResumeMismatchError);
    expect(e!.fields).toEqual(['lora', 'mode']);
    expect(e!.message).toMatch(/mode: "lora" in the record, "full" now/);
  });

  it('refuses another lr, and a record whose hyper disagrees even without a config', () => {
    expect(() => checkResumeConfig(record, { ...config, lr: 2e-3 })).toThrow(/lr: 0.001 in the record, 0.002 now/);
    const bare = newRecord({ ...hyper, eps: 1e-2 });
    expect(() => checkResumeConfig(bare, config)).toThrow(/hyper\.eps/);
  });
});
