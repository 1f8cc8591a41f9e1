// The preference objectives of `zo-studio train` (ZO-DPO and ZOPrO): their flags, their reward
// lines, and what a ZOPrO run writes. train.ts drives every objective with the same run loop and
// calls these through small marked hooks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { numberFlag, optionalString, UsageError, type ParsedArgs } from '../args';
import type { CliIo } from '../io';
import type { EngineEvent, RewardMetrics, RewardRule, TrainConfig } from '../../engine/api';
import { DEFAULT_DPO, DEFAULT_ZOPRO, LAMBDA_SCHEDULES, isOneOf } from '../../engine/config';
import type { ZoproRun } from '../../engine/preference/zoproRun';
import { decodeZoproRecord, encodeZoproRecord, zoproRecordFrom, type ZoproRecord } from '../../engine/preference/zoproRecord';
import { decodeRunRecord, looksLikeRunRecord } from '../../engine/zo/record';
import { zoHyperFromConfig } from '../../engine/defs/zoConfig';
import { configDifferences, ResumeMismatchError } from '../../engine/zo/validateConfig';
import { writeFileAtomic } from '../recordFile';

export const PREFERENCE_USAGE = `Preference objectives (train --objective dpo|zopro):
  dpo:    [--beta ${DEFAULT_DPO.beta}]                                    preference task (prompt, chosen, rejected)
  zopro:  [--k ${DEFAULT_ZOPRO.k}] [--prompts ${DEFAULT_ZOPRO.prompts}] [--reward regex:PATTERN|keyword:WORD|length:CHARS] [--kl ${DEFAULT_ZOPRO.klCoef}]
          [--lambda-start ${DEFAULT_ZOPRO.lambda.start}] [--lambda-end ${DEFAULT_ZOPRO.lambda.end}] [--lambda-schedule ${LAMBDA_SCHEDULES.join('|')}]
          [--max-new-tokens ${DEFAULT_ZOPRO.maxNewTokens}] [--temperature ${DEFAULT_ZOPRO.temperature}]        prompts from the task's train rows; default
          reward: the answer starts lowercase (regex:^\\s*[a-z]), which the demo model learns;
          a killed ZOPrO run continues with --resume OUT/run.zorec and the same flags, like any run
          (OUT/zopro-record.json of older versions still resumes: the run continues in run.zorec)`;

/** --reward length:40 | keyword:WORD | regex:PATTERN */
export function parseRewardRule(spec: string): RewardRule {
  const at = spec.indexOf(':');
  const kind = at < 0 ? spec : spec.slice(0, at);
  const value = at < 0 ? '' : spec.slice(at + 1);
  if (kind === 'length') return { kind, target: Number(value || 40) };
  if (kind === 'keyword' && value) return { kind, keyword: value };
  if (kind === 'regex' && value) return { kind, pattern: value };
  throw new UsageError(`--reward must be length:N, keyword:WORD or regex:PATTERN; got "${spec}"`);
}

/** Adds the dpo / zopro options to a train config from their flags. */
export function applyPreferenceFlags(args: ParsedArgs, config: TrainConfig): void {
  if (config.objective === 'dpo') config.dpo = { beta: numberFlag(args, 'beta', DEFAULT_DPO.beta) };
  if (config.objective !== 'zopro') return;
  const d = DEFAULT_ZOPRO;
  const schedule = optionalString(args, 'lambda-schedule') ?? d.lambda.schedule;
  if (!isOneOf(LAMBDA_SCHEDULES, schedule)) throw new UsageError(`--lambda-schedule must be one of ${LAMBDA_SCHEDULES.join(', ')}`);
  config.zopro = {
    k: numberFlag(args, 'k', d.k),
    prompts: numberFlag(args, 'prompts', d.prompts),
    lambda: { start: numberFlag(args, 'lambda-start', d.lambda.start), end: numberFlag(args, 'lambda-end', d.lambda.end), schedule },
    klCoef: numberFlag(args, 'kl', d.klCoef),
    reward: ((spec) => (spec === undefined ? d.reward : parseRewardRule(spec)))(optionalString(args, 'reward')),
    maxNewTokens: numberFlag(args, 'max-new-tokens', d.maxNewTokens),
    temperature: numberFlag(args, 'temperature', d.temperature),
  };
}

function rewardLine(m: RewardMetrics): string {
  if (m.objective === 'dpo') {
    return `step ${m.step}: ${m.split} DPO loss ${m.loss.toFixed(4)}, margin ${m.margin!.toFixed(4)}, reward accuracy ${(100 * m.rewardAccuracy!).toFixed(1)}%, accuracy ${(100 * m.accuracy!).toFixed(1)}% (n=${m.n})`;
  }
  const kl = m.kl === undefined ? '' : `, KL ${m.kl.toFixed(4)}`;
  return `step ${m.step}: reward ${m.rewardMean!.toFixed(3)} ± ${m.rewardStd!.toFixed(3)}, loss ${m.loss.toFixed(4)}${kl} (n=${m.n})`;
}

/** Prints a 'reward' event (train.ts's emit calls this for every event; others are ignored). */
export function logRewardEvent(e: EngineEvent, json: boolean, io: CliIo): void {
  if (e.kind !== 'reward') return;
  // Events count steps done; the CLI has always printed ZOPrO's rollout points at the step's 0-based index.
  const metrics = e.metrics.objective === 'zopro' ? { ...e.metrics, step: e.metrics.step - 1 } : e.metrics;
  if (json) io.stdout(JSON.stringify({ kind: 'reward', ...metrics }));
  else io.stderr(rewardLine(metrics));
}

/**
 * ZOPrO's reward curve on disk as the run goes: rewards.jsonl, rewritten after every step through a
 * temporary file (fsynced every `fsyncEvery` steps). The record itself is run.zorec, like every run's.
 */
export class ZoproFiles {
  private writes: Promise<void> = Promise.resolve();
  private sinceSync = 0;

  constructor(private readonly out: string, private readonly fsyncEvery: number) {}

  /** Queues the reward curve so far (writes land in order); resolves once it is written. */
  save(curve: readonly RewardMetrics[], sync = false): Promise<void> {
    this.sinceSync++;
    const fsync = sync || this.sinceSync >= Math.max(1, this.fsyncEvery);
    if (fsync) this.sinceSync = 0;
    const rewards = curve.map((r) => JSON.stringify(r)).join('\n') + '\n';
    this.writes = this.writes.then(() => writeFileAtomic(join(this.out, 'rewards.jsonl'), rewards, fsync));
    return this.writes;
  }

  flush(): Promise<void> {
    return this.writes;
  }
}

/** After `train --objective zopro` (driven by the run loop in train.ts, which wrote run.zorec): the
 *  fixed-seed probe reward after training, the trained weights, and the final rewards.jsonl in `out`. */
export async function writeZoproRun(
  run: ZoproRun, out: string, json: boolean, io: CliIo,
  { curve, probeBefore, started, files, writeExports }: { curve: RewardMetrics[]; probeBefore: number; started: number; files: ZoproFiles; writeExports: () => Promise<string[]> },
): Promise<number> {
  await files.save(curve, true);
  const probeAfter = await run.trainer.probeReward();
  const exported = await writeExports();
  const head = curve.slice(0, Math.max(1, Math.floor(curve.length / 4)));
  const tail = curve.slice(-head.length);
  const mean = (xs: RewardMetrics[]) => xs.reduce((a, r) => a + r.rewardMean!, 0) / xs.length;
  const summary = { kind: 'done', steps: curve.length, seconds: (Date.now() - started) / 1000, firstQuarterReward: mean(head), lastQuarterReward: mean(tail), probeReward: { before: probeBefore, after: probeAfter }, files: ['run.zorec', 'rewards.jsonl', 'config.json', ...exported] };
  if (json) io.stdout(JSON.stringify(summary));
  else io.stdout(`fixed-seed mean reward ${probeBefore.toFixed(3)} -> ${probeAfter.toFixed(3)}; rollout mean ${summary.firstQuarterReward.toFixed(3)} (first quarter) -> ${summary.lastQuarterReward.toFixed(3)} (last quarter) over ${curve.length} steps (${summary.seconds.toFixed(0)} s); wrote ${summary.files.join(', ')} to ${out}`);
  return 0;
}

/**
 * The ZOPrO record `--resume` names, checked before any model work: its fields (a bad one is
 * named), and the hyperparameters and options it was recorded with against this run's. A record
 * of older versions (JSON zopro-record.json) is converted to the binary record the run continues.
 */
export async function readZoproResume(path: string, config: TrainConfig, log: (e: Record<string, unknown>, human: string) => void): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  const run = looksLikeRunRecord(bytes) ? decodeRunRecord(bytes, path) : null;
  const saved = run ? zoproRecordFrom(run, path) : decodeZoproRecord(bytes, path);
  checkZoproResume(saved, run?.header.meta?.config as TrainConfig | undefined, config, path);
  const steps = saved.steps.length;
  if (!run) {
    log({ kind: 'resume', steps, converted: true }, `${path}: continuing after ${steps} recorded steps (a JSON record of an older version: the run continues in run.zorec)`);
    return encodeZoproRecord(saved, { config });
  }
  if (run.tornBytes) {
    log({ kind: 'resume', steps, tornBytes: run.tornBytes }, `${path}: the run was killed while writing a step; continuing after its ${steps} complete steps`);
  } else log({ kind: 'resume', steps }, `${path}: continuing after ${steps} recorded steps`);
  return bytes;
}

/**
 * Refuses a ZOPrO resume whose hyperparameters or options differ from the record's, naming them,
 * and any other setting that shapes the run (mode, LoRA shape, ...) when the record holds its config.
 */
function checkZoproResume(saved: ZoproRecord, recorded: TrainConfig | undefined, config: TrainConfig, path: string): void {
  const options = { ...DEFAULT_ZOPRO, ...config.zopro };
  const fields = configDifferences(saved.options as unknown as TrainConfig, options as unknown as TrainConfig).map((k) => `zopro.${k}`);
  const hyper = zoHyperFromConfig(config);
  for (const k of Object.keys(hyper) as (keyof typeof hyper)[]) if (!Object.is(saved.hyper[k], hyper[k])) fields.push(k);
  for (const k of recorded ? configDifferences(recorded, config) : []) if (k !== 'zopro' && !fields.includes(k)) fields.push(k);
  if (fields.length) throw new ResumeMismatchError(path, fields, `${fields.join(', ')} differ`);
}

/** The reward curve of the steps a resumed ZOPrO run already has, from the killed run's rewards.jsonl. */
export async function previousRewards(path: string, steps: number): Promise<RewardMetrics[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const out: RewardMetrics[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as RewardMetrics;
      if (typeof r.step === 'number' && r.step < steps) out.push(r);
    } catch {
      // a line torn by the kill: its step is in the record, only its curve point is lost
    }
  }
  return out;
}
