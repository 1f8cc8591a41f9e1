// Seeded fuzz of every user-file reader in this part of the product: task folders (task.json,
// JSONL, CSV), run records (.zorec) and app run files (.zo-run.json). Each case is an intact
// file with random damage (bytes flipped, cut, spliced, characters that matter to the format
// inserted, or one JSON value replaced by a value of another type or range). Every case must end
// in a result that checks out or in a typed error (InvalidFileError, TaskSpecError): no raw
// TypeError/RangeError, no hang (each case under 2 s). Results are checked, not just accepted:
// CSV agrees with the old character-at-a-time splitter on every input, every JSONL line is
// either a row or a problem with its line, a damaged record step decodes to the record's own
// header, a run file that loads re-validates. Peak memory of each reader on a large intact input
// is measured in a process of its own and bounded by a stated multiple of the input's size.
// Seed: ZO_FUZZ_SEED (default 12); cases per format: 300.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../src/engine/data/csv';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import { Xoshiro128 } from '../../src/engine/data/sampler';
import { TaskSpecError, validateRow } from '../../src/engine/data/validate';
import { validateHyper } from '../../src/engine/defs/zoConfig';
import { InvalidFileError } from '../../src/engine/files/invalidFile';
import { decodeRunRecord, encodeRecordHead, RECORD_STEP_BYTES } from '../../src/engine/zo/record';
import { validateTrainConfig } from '../../src/engine/zo/validateConfig';
import { importRunFile } from '../../src/store/persistence';
import { referenceCsvRecords } from '../fixtures/csvReference';
import { PROBE_FORMATS, writeProbeInput } from '../fixtures/memoryProbe';
import { demoCsv, demoJsonl, demoRecord, demoRunFile, demoZoproBinary, demoZoproRecord, TASK_JSON } from '../fixtures/userFiles';
import { decodeZoproRecord, encodeZoproRecord } from '../../src/engine/preference/zoproRecord';
import { encodeZoproHead, encodeZoproStepLine } from '../../src/engine/preference/zoproRecordText';
import { REPO_ROOT } from '../helpers/paths';

const SEED = Number(process.env.ZO_FUZZ_SEED ?? 12);
const CASES = 300;
const CASE_MS = 2_000;
const rng = new Xoshiro128(SEED);
const pick = <T>(a: readonly T[]): T => a[rng.below(a.length)];
const WEIRD: unknown[] = [null, -1, 0, 1, 1e308, -1e-9, 0.5, 2 ** 32, 'x', '', true, [], [1, 'a'], {}, { a: 1 }, '1e-3', 4097];
const SPECIAL = ['"', ',', '\n', '\r', '\r\n', '{', '}', '[', ']', ':', '\\', '\u0000', '\ufeff', '\ud800', '""', 'é'];

/** Random damage to text: flip, cut, splice, insert a special character, delete, duplicate. */
function damageText(text: string): string {
  const at = () => rng.below(text.length + 1);
  switch (rng.below(6)) {
    case 0: {
      const i = at();
      return text.slice(0, i) + String.fromCharCode(rng.below(0x3000)) + text.slice(i + 1);
    }
    case 1:
      return text.slice(0, at());
    case 2: {
      const i = at();
      return text.slice(0, i) + pick(SPECIAL) + text.slice(i);
    }
    case 3: {
      const [a, b] = [at(), at()].sort((x, y) => x - y);
      return text.slice(0, a) + text.slice(b);
    }
    case 4: {
      const [a, b] = [at(), at()].sort((x, y) => x - y);
      return text.slice(0, b) + text.slice(a, b) + text.slice(b);
    }
    default: {
      let t = text;
      for (let k = 0; k < 1 + rng.below(8); k++) t = t.slice(0, rng.below(t.length + 1)) + pick(SPECIAL) + t.slice(rng.below(t.length + 1));
      return t;
    }
  }
}

/** One JSON value somewhere inside `value` replaced by a value of another type or range (or removed). */
function damageJson(value: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Object.keys(node);
    if (!keys.length) break;
    const key = pick(keys);
    const child = node[key];
    if (child && typeof child === 'object' && rng.below(3) > 0) {
      node = child as Record<string, unknown>;
      continue;
    }
    if (rng.below(5) === 0) delete node[key];
    else node[key] = structuredClone(pick(WEIRD));
    return copy;
  }
  return pick(WEIRD);
}

function damageBytes(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  switch (rng.below(3)) {
    case 0:
      for (let k = 0; k < 1 + rng.below(4); k++) out[rng.below(out.length)] = rng.below(256);
      return out;
    case 1:
      return out.subarray(0, rng.below(out.length));
    default: {
      const extra = new Uint8Array(1 + rng.below(40)).map(() => rng.below(256));
      const i = rng.below(out.length);
      const spliced = new Uint8Array(out.length + extra.length);
      spliced.set(out.subarray(0, i));
      spliced.set(extra, i);
      spliced.set(out.subarray(i), i + extra.length);
      return spliced;
    }
  }
}

const typed = (e: unknown) => e instanceof InvalidFileError || e instanceof TaskSpecError;

/** Runs one case: its result is checked by `check`; an error must be typed; it must not hang. */
async function runCase<T>(name: string, read: () => T | Promise<T>, check: (result: T) => void, failures: string[]): Promise<'ok' | 'typed'> {
  const started = performance.now();
  let outcome: 'ok' | 'typed' = 'ok';
  try {
    check(await read());
  } catch (e) {
    if (!typed(e)) failures.push(`${name}: raw ${(e as Error).name}: ${(e as Error).message}`);
    outcome = 'typed';
  }
  const ms = performance.now() - started;
  if (ms > CASE_MS) failures.push(`${name}: took ${ms.toFixed(0)} ms`);
  return outcome;
}

function summary(counts: Record<string, number>, failures: string[]): void {
  if (process.env.ZO_FUZZ_VERBOSE) console.log(counts);
  expect(failures.slice(0, 10), `${failures.length} of the cases failed (seed ${SEED})`).toEqual([]);
  expect(counts.ok + counts.typed).toBe(CASES);
}

describe(`fuzzed user files (seed ${SEED}, ${CASES} cases per format)`, () => {
  const jsonl = demoJsonl(30);
  const csv = demoCsv(30);
  const spec = JSON.parse(TASK_JSON) as Record<string, unknown>;

  it('task folders: task.json, JSONL and CSV', async () => {
    const failures: string[] = [];
    const counts = { ok: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      const which = rng.below(4);
      const taskJson = which === 0 ? (rng.below(2) ? damageText(TASK_JSON) : JSON.stringify(damageJson(spec))) : TASK_JSON;
      const train = which === 1 ? (rng.below(2) ? damageText(jsonl) : jsonl.split('\n').map((l) => (rng.below(6) ? l : JSON.stringify(damageJson(JSON.parse(l))))).join('\n')) : jsonl;
      const dev = which >= 2 ? damageText(csv) : csv;
      const outcome = await runCase(
        `case ${c} (task file ${which})`,
        () => loadTaskFromFiles([{ name: 'task.json', text: taskJson }, { name: 'train.jsonl', text: train }, { name: 'dev.csv', text: dev }]),
        (task) => {
          // Every kept row validates; every non-blank JSONL line is a kept row or has a problem.
          for (const [split, rows] of Object.entries(task.splits)) for (const row of rows) expect('row' in validateRow(task.spec, row), `${split} row`).toBe(true);
          const lines = train.replace(/^\ufeff/, '').split(/\r?\n/);
          const nonBlank = lines.filter((l) => l.trim()).length;
          const problemLines = new Set(task.problems.filter((p) => p.split === 'train' && p.row > 0).map((p) => p.row));
          expect(task.splits.train.length + problemLines.size).toBe(nonBlank);
          for (const line of problemLines) expect(lines[line - 1]?.trim()).toBeTruthy();
        },
        failures,
      );
      counts[outcome]++;
    }
    summary(counts, failures);
  });

  it('CSV: the slice parser agrees with the character-at-a-time splitter on every damaged file', () => {
    const failures: string[] = [];
    for (let c = 0; c < CASES; c++) {
      const text = damageText(rng.below(4) ? csv : damageText(csv));
      try {
        // The same records (line, fields) and the same verdict on unclosed quotes; the parser
        // words its errors itself and also flags a record whose quote swallowed later lines.
        const [got, want] = [parseCsvRecords(text), referenceCsvRecords(text)];
        expect(got.records.map((r) => ({ line: r.line, fields: r.fields }))).toEqual(want.records);
        expect(got.error === null).toBe(want.error === null);
      } catch (e) {
        failures.push(`case ${c}: ${(e as Error).message.slice(0, 200)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('run records (.zorec)', async () => {
    const intact = demoRecord(25);
    const original = decodeRunRecord(intact);
    const headerBytes = intact.length - 25 * RECORD_STEP_BYTES;
    const failures: string[] = [];
    const counts = { ok: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      let bytes: Uint8Array;
      let stepsOnly = false;
      const kind = rng.below(3);
      if (kind === 0) {
        // A header value of the wrong type or range, written back with a consistent layout.
        const head = encodeRecordHead({ ...original.header, ...(damageJson(original.header) as object) } as typeof original.header, 25);
        bytes = new Uint8Array(head.length + 25 * RECORD_STEP_BYTES);
        bytes.set(head);
        bytes.set(intact.subarray(headerBytes), head.length);
      } else if (kind === 1) {
        // Damage confined to the step data: the header must come back exactly as written.
        bytes = intact.slice();
        for (let k = 0; k < 1 + rng.below(6); k++) bytes[headerBytes + rng.below(25 * RECORD_STEP_BYTES)] = rng.below(256);
        stepsOnly = true;
      } else bytes = damageBytes(intact);
      const outcome = await runCase(
        `case ${c} (kind ${kind})`,
        () => decodeRunRecord(bytes, 'fuzz.zorec'),
        (record) => {
          validateHyper(record.header.hyper, 'decoded');
          if (record.header.meta?.config) validateTrainConfig(record.header.meta.config, 'decoded');
          if (stepsOnly) {
            expect(record.header).toEqual(original.header);
            expect(record.steps).toHaveLength(25);
          }
        },
        failures,
      );
      counts[outcome]++;
    }
    summary(counts, failures);
  });

  it('app run files (.zo-run.json)', async () => {
    const text = demoRunFile(12);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const failures: string[] = [];
    const counts = { ok: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      const damaged = rng.below(3) ? JSON.stringify(damageJson(parsed)) : damageText(text);
      const outcome = await runCase(
        `case ${c}`,
        () => importRunFile(Object.assign(new Blob([damaged]), { name: 'fuzz.zo-run.json' })),
        (run) => {
          validateTrainConfig(run.meta.config, 'imported');
          const n = run.steps.step.length;
          for (const column of Object.values(run.steps)) expect(column).toHaveLength(n);
          if (run.record) decodeRunRecord(run.record, 'imported record');
        },
        failures,
      );
      counts[outcome]++;
    }
    summary(counts, failures);
  });

  // Cases added after the ones above draw from the same seeded stream after them, so the earlier
  // formats' cases are unchanged.
  it('ZOPrO run records (v3, per-step extras) and the JSON forms of older versions', async () => {
    const binary = demoZoproBinary(12);
    const { record } = demoZoproRecord(12);
    const legacy = { hyper: record.hyper, options: record.options, steps: record.steps.map(({ loss: _loss, ...s }) => s) };
    const closed = JSON.stringify(legacy);
    const open = new TextDecoder().decode(Uint8Array.from([...encodeZoproHead(legacy), ...legacy.steps.flatMap((s) => Array.from(encodeZoproStepLine(s)))]));
    const failures: string[] = [];
    const counts = { ok: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      const kind = rng.below(4);
      const bytes =
        kind === 0 ? damageBytes(binary)
        : kind === 1 ? new TextEncoder().encode(JSON.stringify(damageJson(legacy)))
        : kind === 2 ? new TextEncoder().encode(damageText(closed))
        : new TextEncoder().encode(damageText(open));
      const outcome = await runCase(
        `case ${c} (kind ${kind})`,
        () => decodeZoproRecord(bytes, 'fuzz record'),
        (r) => {
          // What reads is a record the binary form holds exactly, every value finite.
          expect(decodeZoproRecord(encodeZoproRecord(r))).toEqual(r);
          for (const s of r.steps) expect(Number.isFinite(s.grad) && s.terms.every((t) => Number.isFinite(t.coef) && t.step <= s.step)).toBe(true);
        },
        failures,
      );
      counts[outcome]++;
    }
    summary(counts, failures);
  });

  // Peak memory while reading, over the input's size. Records and run files become one object
  // per step (16 bytes on disk), which bounds them higher than text rows.
  const BOUND: Record<(typeof PROBE_FORMATS)[number], number> = { jsonl: 16, csv: 4, record: 32, runfile: 16 };
  it.each(PROBE_FORMATS)('%s: peak memory is bounded by a multiple of the input', (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'zo-probe-'));
    try {
      const path = join(dir, format);
      writeProbeInput(format, path);
      const out = execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'tests', 'fixtures', 'memoryProbe.ts'), format, path], { encoding: 'utf8' });
      const { inputBytes, peakBytes } = JSON.parse(out.trim().split('\n').pop()!) as { inputBytes: number; peakBytes: number };
      expect(peakBytes, `${format}: ${(peakBytes / 2 ** 20).toFixed(1)} MB for ${(inputBytes / 2 ** 20).toFixed(1)} MB`).toBeLessThanOrEqual(BOUND[format] * inputBytes + 16 * 2 ** 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
