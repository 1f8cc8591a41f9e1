// The whole TrainConfig of a run record or run file, field by field: a record replays from its
// config (mode, LoRA shape, sparse selection, optimizer), so a wrong type or range in any of
// them is refused with the field named rather than replayed into NaN or a different run. Also
// which fields of two configs differ, so a resume with another config is refused by name.
import type { TrainConfig, ZoproOptions } from '../api';
import { FieldReader, type Json } from '../files/fields';
import { MAX_Q, zoHyperFromConfig, type ZoHyper } from '../defs/zoConfig';
import { LAMBDA_SCHEDULES, LR_SCHEDULES, OBJECTIVES, OPTIMIZER_NAMES, SPARSE_SCORES, TUNING_MODES } from '../config/options';

export function validateTrainConfig(raw: unknown, file: string, at = 'meta.config'): TrainConfig {
  const f = new FieldReader(file);
  const c = f.object(raw, at);
  const p = (k: string) => `${at}.${k}`;
  const strings = (v: unknown, path: string) => f.array(v, path).map((s, i) => f.string(s, `${path}[${i}]`, true));
  const config: TrainConfig = {
    ...(c as unknown as TrainConfig), // fields this version does not know are kept as they are
    mode: f.oneOf(c.mode, p('mode'), TUNING_MODES),
    optimizer: f.oneOf(c.optimizer, p('optimizer'), OPTIMIZER_NAMES),
    objective: f.oneOf(c.objective, p('objective'), OBJECTIVES),
    steps: f.integer(c.steps, p('steps'), 1),
    lr: f.number(c.lr, p('lr'), { min: 0 }),
    eps: f.number(c.eps, p('eps'), { above: 0 }),
    batch: f.integer(c.batch, p('batch'), 1),
    q: f.integer(c.q, p('q'), 1, MAX_Q),
    // Any whole number the app or CLI accepts: the run uses it modulo 2^32 (zoHyperFromConfig).
    seed: f.integer(c.seed, p('seed'), 0),
    weightDecay: f.number(c.weightDecay, p('weightDecay'), { min: 0 }),
    schedule: f.oneOf(c.schedule, p('schedule'), LR_SCHEDULES),
    clip: f.number(c.clip, p('clip'), { min: 0 }),
    oneSided: f.boolean(c.oneSided, p('oneSided')),
    evalEvery: f.integer(c.evalEvery, p('evalEvery'), 0),
    evalSplit: f.string(c.evalSplit, p('evalSplit'), true),
    evalLimit: f.integer(c.evalLimit, p('evalLimit'), 0),
  };
  if (c.full !== undefined) {
    const full = f.object(c.full, p('full'));
    f.optional(full.layers, (v) => f.array(v, p('full.layers')).forEach((l, i) => f.integer(l, `${p('full.layers')}[${i}]`, 0, 4096)));
    f.optional(full.projections, (v) => strings(v, p('full.projections')));
  }
  if (c.lora !== undefined) {
    const lora = f.object(c.lora, p('lora'));
    f.integer(lora.rank, p('lora.rank'), 1, 4096);
    f.number(lora.alpha, p('lora.alpha'), { above: 0 });
    if (strings(lora.targets, p('lora.targets')).length === 0) f.fail(p('lora.targets'), 'at least one projection name', lora.targets);
  }
  if (c.sparse !== undefined) {
    const sparse = f.object(c.sparse, p('sparse'));
    f.number(sparse.fraction, p('sparse.fraction'), { above: 0, max: 1 });
    f.oneOf(sparse.score, p('sparse.score'), SPARSE_SCORES);
    f.integer(sparse.calibrationRows, p('sparse.calibrationRows'), 1);
  }
  f.optional(c.momentum, (v) => f.number(v, p('momentum'), { min: 0, max: 0.999999 }));
  f.optional(c.rowDerivatives, (v) => f.boolean(v, p('rowDerivatives')));
  if (c.dpo !== undefined) f.number(f.object(c.dpo, p('dpo')).beta, p('dpo.beta'), { above: 0 });
  if (c.zopro !== undefined) validateZopro(f, f.object(c.zopro, p('zopro')), p('zopro'));
  if (c.blockScales !== undefined) {
    for (const [name, scale] of Object.entries(f.object(c.blockScales, p('blockScales')))) f.number(scale, `${p('blockScales')}[${JSON.stringify(name)}]`, { above: 0 });
  }
  if (config.optimizer === 'zo-sgd-cons' && config.q > 3) f.fail(p('q'), 'at most 3 with zo-sgd-cons', config.q);
  return config;
}

/** ZOPrO's options (a config's `zopro`, a ZOPrO record's header.meta.zopro), every field. */
export function validateZoproOptions(f: FieldReader, raw: unknown, at: string): ZoproOptions {
  const z = f.object(raw, at);
  validateZopro(f, z, at);
  return z as unknown as ZoproOptions;
}

function validateZopro(f: FieldReader, z: Json, at: string): void {
  f.integer(z.k, `${at}.k`, 2, 1024);
  f.integer(z.prompts, `${at}.prompts`, 1);
  const lambda = f.object(z.lambda, `${at}.lambda`);
  f.number(lambda.start, `${at}.lambda.start`);
  f.number(lambda.end, `${at}.lambda.end`);
  f.oneOf(lambda.schedule, `${at}.lambda.schedule`, LAMBDA_SCHEDULES);
  f.number(z.klCoef, `${at}.klCoef`, { min: 0 });
  const reward = f.object(z.reward, `${at}.reward`);
  const kind = f.oneOf(reward.kind, `${at}.reward.kind`, ['length', 'keyword', 'regex'] as const);
  if (kind === 'length') f.integer(reward.target, `${at}.reward.target`, 1);
  if (kind === 'keyword') f.string(reward.keyword, `${at}.reward.keyword`, true);
  if (kind === 'regex') {
    f.string(reward.pattern, `${at}.reward.pattern`);
    f.optional(reward.flags, (v) => f.string(v, `${at}.reward.flags`));
  }
  f.integer(z.maxNewTokens, `${at}.maxNewTokens`, 1);
  f.number(z.temperature, `${at}.temperature`, { min: 0 });
}

/** Fields that change what a run computes (everything but how it is evaluated). */
const EVALUATION_ONLY = new Set(['evalEvery', 'evalSplit', 'evalLimit']);

/** The top-level fields whose values differ between two configs (evaluation settings aside). */
export function configDifferences(recorded: TrainConfig, requested: TrainConfig): string[] {
  const keys = new Set([...Object.keys(recorded), ...Object.keys(requested)]);
  const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'undefined';
  return [...keys].filter((k) => !EVALUATION_ONLY.has(k) && canonical((recorded as unknown as Json)[k]) !== canonical((requested as unknown as Json)[k])).sort();
}

/** A resume whose config disagrees with the record it continues: replay would not reproduce it. */
export class ResumeMismatchError extends Error {
  readonly kind = 'resume-mismatch';
  constructor(readonly file: string, readonly fields: string[], detail: string) {
    super(
      `${file} was recorded with another config (${detail}); resume with the settings the run was recorded with, ` +
        'or start a new run: a changed setting would not be in the record and its replay would differ.',
    );
    this.name = 'ResumeMismatchError';
  }
}

/** Refuses to continue `record` under `config` when any field that shapes the run differs, naming them. */
/** The part of a run record (zo/record.ts ZoRunRecord) a resume is checked against; written out so
 *  record.ts, which validates its header with this file, is not imported back. */
export interface RecordedRun {
  header: { hyper: ZoHyper; meta?: { config?: unknown } };
}

export function checkResumeConfig(record: RecordedRun, config: TrainConfig, file = 'run record'): void {
  const recorded = record.header.meta?.config as TrainConfig | undefined;
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  const details: string[] = [];
  const fields: string[] = [];
  if (recorded) {
    for (const k of configDifferences(recorded, config)) {
      fields.push(k);
      details.push(`${k}: ${show((recorded as unknown as Json)[k])} in the record, ${show((config as unknown as Json)[k])} now`);
    }
  }
  const hyper = zoHyperFromConfig(config);
  for (const k of Object.keys(hyper) as (keyof ZoHyper)[]) {
    if (fields.includes(k) || Object.is(record.header.hyper[k], hyper[k])) continue;
    fields.push(`hyper.${k}`);
    details.push(`hyper.${k}: ${show(record.header.hyper[k])} in the record, ${show(hyper[k])} now`);
  }
  if (fields.length) throw new ResumeMismatchError(file, fields, details.join('; '));
}
