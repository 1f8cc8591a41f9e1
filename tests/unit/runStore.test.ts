// Saving a run costs O(1) per step: IndexedDB (a Map here, counting the structured-clone bytes of
// every write) gets the run's small head and a chunk of what is new since the last save, however
// long the run. A run saved whole by earlier versions still loads, and is chunked at its next save;
// rows dropped by a replay make the next save write the run whole again.
import { serialize } from 'node:v8';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeRunRecord, encodeOpenRecord, encodeRecordSteps } from '../../src/engine/zo/record';
import { deleteRun, loadRunsChecked, saveRunGoing, useRunDatabases, type LiveRun } from '../../src/store/runStore';
import type { KeyValueStore } from '../../src/store/keyValue';
import { RecordBuffer } from '../../src/store/runs/recordBuffer';
import { appendEval, appendStep, emptyEvals, emptyRewards, emptySteps, truncateSteps } from '../../src/store/series';
import { demoRecord, demoRunFile, demoZoproRecord } from '../fixtures/userFiles';
import { decodeZoproRecord, encodeOpenZoproRecord, encodeZoproEntry } from '../../src/engine/preference/zoproRecord';
import { encodeZoproHead, encodeZoproStepLine } from '../../src/engine/preference/zoproRecordText';

class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  bytesWritten = 0;
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.data.get(key)) as T | undefined;
  }
  async set(key: string, value: unknown): Promise<void> {
    this.bytesWritten += serialize(value).length;
    this.data.set(key, structuredClone(value));
  }
  async del(key: string): Promise<void> {
    this.data.delete(key);
  }
  async entries(): Promise<[IDBValidKey, unknown][]> {
    return [...this.data.entries()].map(([k, v]) => [k, structuredClone(v)]);
  }
}

const saved = JSON.parse(demoRunFile(0)) as { meta: LiveRun['meta'] };
const start = decodeRunRecord(demoRecord(0));

function newRun(): { run: LiveRun; record: RecordBuffer } {
  const run: LiveRun = { meta: { ...saved.meta, id: 'run-a', state: 'running' }, steps: emptySteps(), evals: emptyEvals(), rewards: emptyRewards(), recordStep: 0 };
  return { run, record: new RecordBuffer(encodeOpenRecord(start)) };
}

/** One step as the engine bridge applies it: its metrics, its record entry. */
function step(run: LiveRun, record: RecordBuffer, done: number): void {
  appendStep(run.steps, { step: done, lossPlus: 0.71, lossMinus: 0.69, loss: 0.7 - done / 1e4, projectedGrad: done / 8, lr: 1e-3, seed: 7, millis: 12 });
  record.append(encodeRecordSteps(start.header.hyper, [{ step: done - 1, loss: 0.7, values: Float32Array.of(done / 8, -done / 16, 0.5) }]));
  run.recordStep = done;
  if (done % 10 === 0) appendEval(run.evals, { step: done, split: 'dev', accuracy: 0.5, loss: 0.69, n: 8 });
}

describe('run store', () => {
  let heads: MemoryStore;
  let chunks: MemoryStore;
  beforeEach(() => {
    heads = new MemoryStore();
    chunks = new MemoryStore();
    useRunDatabases(heads, chunks);
  });
  const written = () => heads.bytesWritten + chunks.bytesWritten;

  it('writes the same few bytes per step-save at step 20 and at step 600, and loads the whole run back', async () => {
    const { run, record } = newRun();
    const perSave: number[] = [];
    for (let done = 1; done <= 600; done++) {
      step(run, record, done);
      const before = written();
      await saveRunGoing(run, record);
      perSave[done] = written() - before;
    }
    // Saves without an evaluation row (steps 21 and 591) write the same: a head and one step.
    expect(perSave[591]).toBeLessThanOrEqual(perSave[21] + 16);
    // ... a small fraction of the run written whole (its head holds the meta: config and task spec).
    expect(perSave[591] * 10).toBeLessThan(serialize({ ...run, record: record.bytes() }).length);
    const { runs, damaged } = await loadRunsChecked();
    expect(damaged).toEqual([]);
    expect(runs).toHaveLength(1);
    expect(runs[0].steps).toEqual(run.steps);
    expect(runs[0].evals).toEqual(run.evals);
    expect(runs[0].recordStep).toBe(600);
    expect(runs[0].record).toEqual(record.bytes());
    expect(decodeRunRecord(runs[0].record!).steps).toHaveLength(600);
  });

  it('keeps the steps that arrive while a save is being written for the next save', async () => {
    const { run, record } = newRun();
    step(run, record, 1);
    const first = saveRunGoing(run, record);
    step(run, record, 2); // the bridge appends while IndexedDB writes
    await first;
    step(run, record, 3);
    const second = saveRunGoing(run, record);
    step(run, record, 4);
    await second;
    await saveRunGoing(run, record);
    const [loaded] = (await loadRunsChecked()).runs;
    expect(loaded.steps.step).toEqual([1, 2, 3, 4]);
    expect(loaded.record).toEqual(record.bytes());
  });

  it('writes the run whole again after a replay dropped rows, then appends; a crash-free delete removes every chunk', async () => {
    const { run, record } = newRun();
    for (let done = 1; done <= 30; done++) {
      step(run, record, done);
      await saveRunGoing(run, record);
    }
    truncateSteps(run.steps, 21); // a resumed run replays from step 21
    const replay = new RecordBuffer(encodeOpenRecord({ ...decodeRunRecord(record.bytes()), steps: decodeRunRecord(record.bytes()).steps.slice(0, 20) }));
    for (let done = 21; done <= 25; done++) {
      step(run, replay, done);
      await saveRunGoing(run, replay);
    }
    const [loaded] = (await loadRunsChecked()).runs;
    expect(loaded.steps).toEqual(run.steps);
    expect(loaded.steps.step.at(-1)).toBe(25);
    expect(loaded.record).toEqual(replay.bytes());
    await deleteRun('run-a');
    expect(heads.data.size + chunks.data.size).toBe(0);
  });

  it('loads a run saved whole by an earlier version, and chunks it at its next save', async () => {
    const old = JSON.parse(demoRunFile(12));
    const record = new Uint8Array(Buffer.from(old.record, 'base64'));
    await heads.set(old.meta.id, { ...old, format: undefined, record });
    const [loaded] = (await loadRunsChecked()).runs;
    expect(loaded.steps.step).toHaveLength(12);
    expect(loaded.record).toEqual(record);
    const live: LiveRun = { meta: loaded.meta, steps: loaded.steps, evals: loaded.evals, rewards: loaded.rewards ?? emptyRewards(), recordStep: loaded.recordStep };
    await saveRunGoing(live, new RecordBuffer(record));
    expect((heads.data.get(old.meta.id) as { layout?: string }).layout).toBe('chunks');
    const [again] = (await loadRunsChecked()).runs;
    expect(again.steps).toEqual(loaded.steps);
    expect(again.record).toEqual(record);
  });
  it('a ZOPrO run saves its v3 step entries like any run and loads them back; one saved by an older version (JSON lines) loads converted to the binary record', async () => {
    const { record: zopro, config } = demoZoproRecord(6);
    const meta = { ...saved.meta, id: 'run-z', config, state: 'paused' as const };
    const live = (): LiveRun => ({ meta, steps: emptySteps(), evals: emptyEvals(), rewards: emptyRewards(), recordStep: 0 });
    const run = live();
    const record = new RecordBuffer(encodeOpenZoproRecord({ ...zopro, steps: [] }, { config }));
    for (const s of zopro.steps) {
      appendStep(run.steps, { step: s.step + 1, lossPlus: 0.7, lossMinus: 0.6, loss: s.loss!, projectedGrad: s.grad, lr: 0.3, seed: 7, millis: 5 });
      record.append(encodeZoproEntry(zopro.hyper, s));
      run.recordStep = s.step + 1;
      await saveRunGoing(run, record);
    }
    const [loaded] = (await loadRunsChecked()).runs;
    expect(loaded.record).toEqual(record.bytes());
    expect(decodeZoproRecord(loaded.record!)).toEqual(zopro);

    // The app of earlier versions kept ZOPrO records as JSON lines: the run loads with the binary record.
    await deleteRun('run-z');
    const legacy = { ...zopro, steps: zopro.steps.map(({ loss: _loss, ...s }) => s) };
    const old = new RecordBuffer(Uint8Array.from([...encodeZoproHead(legacy), ...legacy.steps.flatMap((s) => Array.from(encodeZoproStepLine(s)))]));
    const oldRun = { ...live(), recordStep: 6 };
    await saveRunGoing(oldRun, old);
    const [converted] = (await loadRunsChecked()).runs;
    expect(decodeZoproRecord(converted.record!)).toEqual(legacy);
    expect(decodeRunRecord(converted.record!).header.meta?.config).toEqual(config);
  });
});
