// A stored or imported run (StoredRun), checked field by field before the app keeps it: a run
// file with `steps: 1`, `evals: "x"` or `meta.config: null` used to be saved to IndexedDB and
// then blank the page on every load. Every column, the config (zo/validateConfig.ts), the model
// and task descriptions and the record bytes (zo/record.ts; a ZOPrO record of an older version, JSON, is converted to it) are validated;
// a failure is an InvalidFileError naming the file and the field.
import { WEIGHT_PRECISIONS } from '../engine/config/options';
import { FieldReader, type Json } from '../engine/files/fields';
import { InvalidFileError } from '../engine/files/invalidFile';
import { validateSpec, TaskSpecError } from '../engine/data/validate';
import { zoproRecordBytes } from '../engine/preference/zoproRecord';
import { decodeRunRecord } from '../engine/zo/record';
import { validateTrainConfig } from '../engine/zo/validateConfig';
import type { RunMeta, RunState, SavedModelSource, StoredRun } from './runTypes';
import { rewardsFrom, type EvalSeries, type StepSeries } from './series';

/** A JavaScript date's range in milliseconds: outside it, formatting the date throws. */
const TIME_RANGE = { min: -8.64e15, max: 8.64e15 };
const RUN_STATES: readonly RunState[] = ['created', 'running', 'paused', 'stopped', 'finished', 'failed'];
const STEP_COLUMNS: (keyof StepSeries)[] = ['step', 'loss', 'smoothed', 'lossPlus', 'lossMinus', 'projectedGrad', 'lr', 'seed', 'millis'];
const EVAL_NUMBERS: (keyof EvalSeries)[] = ['step', 'accuracy', 'loss', 'n'];

/** Columns of equal length: numbers (null stands for a NaN that JSON could not hold) or strings. */
function columns<T>(f: FieldReader, raw: unknown, at: string, numeric: string[], text: string[]): T {
  const o = f.object(raw, at);
  let length = -1;
  const out: Json = {};
  for (const name of [...numeric, ...text]) {
    const column = f.array(o[name], `${at}.${name}`);
    if (length < 0) length = column.length;
    else if (column.length !== length) f.fail(`${at}.${name}`, `${length} entries, as many as ${at}.${numeric[0]}`, column);
    const isText = text.includes(name);
    out[name] = column.map((v, i) => {
      if (isText) return f.string(v, `${at}.${name}[${i}]`);
      if (v === null) return NaN; // JSON writes NaN as null
      if (typeof v !== 'number') f.fail(`${at}.${name}[${i}]`, 'a number', v);
      return v;
    });
  }
  return out as T;
}

function modelSource(f: FieldReader, raw: unknown, at: string): SavedModelSource {
  const s = f.object(raw, at);
  const kind = f.oneOf(s.kind, `${at}.kind`, ['demo', 'hub', 'files'] as const);
  if (kind === 'demo') return { kind };
  if (kind === 'hub') {
    const revision = f.optional(s.revision, (v) => f.string(v, `${at}.revision`));
    return { kind, repo: f.string(s.repo, `${at}.repo`, true), ...(revision !== undefined ? { revision } : {}) };
  }
  return { kind, label: f.string(s.label, `${at}.label`) };
}

function runMeta(f: FieldReader, raw: unknown, file: string): RunMeta {
  const m = f.object(raw, 'meta');
  const model = f.object(m.model, 'meta.model');
  const task = f.object(m.task, 'meta.task');
  let spec;
  try {
    spec = validateSpec(task.spec);
  } catch (e) {
    if (e instanceof TaskSpecError) throw new InvalidFileError(file, 'meta.task.spec', 'a valid task.json', e.problems.join('; '));
    throw e;
  }
  const meta: RunMeta = {
    id: f.string(m.id, 'meta.id', true),
    name: f.string(m.name, 'meta.name'),
    createdAt: f.number(m.createdAt, 'meta.createdAt', TIME_RANGE),
    updatedAt: f.number(m.updatedAt, 'meta.updatedAt', TIME_RANGE),
    config: validateTrainConfig(m.config, file, 'meta.config'),
    model: {
      source: modelSource(f, model.source, 'meta.model.source'),
      precision: f.oneOf(model.precision, 'meta.model.precision', WEIGHT_PRECISIONS),
      name: f.string(model.name, 'meta.model.name'),
      maxSeqLen: f.integer(model.maxSeqLen, 'meta.model.maxSeqLen', 1),
    },
    task: { name: f.string(task.name, 'meta.task.name', true), demo: f.boolean(task.demo, 'meta.task.demo'), spec },
    state: f.oneOf(m.state, 'meta.state', RUN_STATES),
  };
  const error = f.optional(m.error, (v) => f.string(v, 'meta.error'));
  const warning = f.optional(m.warning, (v) => f.string(v, 'meta.warning'));
  return { ...meta, ...(error !== undefined ? { error } : {}), ...(warning !== undefined ? { warning } : {}) };
}

/**
 * Checks a run as stored or imported; `record` is the record's bytes (already base64-decoded for a
 * file) or null. Returns it typed, or throws InvalidFileError naming `file` and the field.
 */
export function validateStoredRun(raw: unknown, file: string, record: Uint8Array | null): StoredRun {
  const f = new FieldReader(file);
  const r = f.object(raw, 'the run');
  if (r.version !== 1) f.fail('version', '1 (a run saved by this version of ZO Studio)', r.version);
  const meta = runMeta(f, r.meta, file);
  const steps = columns<StepSeries>(f, r.steps, 'steps', STEP_COLUMNS, []);
  const evals = columns<EvalSeries>(f, r.evals, 'evals', EVAL_NUMBERS, ['split']);
  // Reward columns were added over time: older runs lack some, which rewardsFrom fills with NaN.
  const rewards = r.rewards === undefined ? undefined : rewardsFrom(f.object(r.rewards, 'rewards') as Parameters<typeof rewardsFrom>[0]);
  const recordStep = f.integer(r.recordStep, 'recordStep', 0);
  let checked = record;
  if (record) {
    // ZOPrO records of older versions (JSON) are converted to the binary record runs keep now.
    if (meta.config.objective === 'zopro') checked = zoproRecordBytes(record, `${file} (its record)`, { config: meta.config });
    else decodeRunRecord(record, `${file} (its record)`);
  }
  return { version: 1, meta, steps, evals, ...(rewards ? { rewards } : {}), record: checked, recordStep };
}
