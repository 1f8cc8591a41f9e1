// The preference objectives of `zo-studio train` (ZO-DPO and ZOPrO): their flags, their reward
// lines, and what a ZOPrO run writes. train.ts drives every objective with the same run loop and
// calls these through small marked hooks.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { numberFlag, optionalString, UsageError, type ParsedArgs } from '../args';
import type { CliIo } from '../io';
import type { EngineEvent, RewardMetrics, RewardRule, TrainConfig } from '../../engine/api';
import { DEFAULT_DPO, DEFAULT_ZOPRO, LAMBDA_SCHEDULES, isOneOf } from '../../engine/config';
import type { ZoproRun } from '../../engine/preference/zoproRun';

export const PREFERENCE_USAGE = `Preference objectives (train --objective dpo|zopro):
  dpo:    [--beta ${DEFAULT_DPO.beta}]                                    preference task (prompt, chosen, rejected)
  zopro:  [--k ${DEFAULT_ZOPRO.k}] [--prompts ${DEFAULT_ZOPRO.prompts}] [--reward regex:PATTERN|keyword:WORD|length:CHARS] [--kl ${DEFAULT_ZOPRO.klCoef}]
          [--lambda-start ${DEFAULT_ZOPRO.lambda.start}] [--lambda-end ${DEFAULT_ZOPRO.lambda.end}] [--lambda-schedule ${LAMBDA_SCHEDULES.join('|')}]
          [--max-new-tokens ${DEFAULT_ZOPRO.maxNewTokens}] [--temperature ${DEFAULT_ZOPRO.temperature}]        prompts from the task's train rows; default
          reward: the answer starts lowercase (regex:^\\s*[a-z]), which the demo model learns`;

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
  if (json) io.stdout(JSON.stringify({ kind: 'reward', ...e.metrics }));
  else io.stderr(rewardLine(e.metrics));
}

/** After `train --objective zopro` (driven by the run loop in train.ts): the fixed-seed probe
 *  reward after training, and zopro-record.json, rewards.jsonl and config.json in `out`. */
export async function writeZoproRun(
  run: ZoproRun, config: TrainConfig, out: string, json: boolean, io: CliIo,
  { curve, probeBefore, started }: { curve: RewardMetrics[]; probeBefore: number; started: number },
): Promise<number> {
  const probeAfter = await run.trainer.probeReward();
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'zopro-record.json'), run.encodeRecord());
  await writeFile(join(out, 'rewards.jsonl'), curve.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeFile(join(out, 'config.json'), JSON.stringify(config, null, 2));
  const head = curve.slice(0, Math.max(1, Math.floor(curve.length / 4)));
  const tail = curve.slice(-head.length);
  const mean = (xs: RewardMetrics[]) => xs.reduce((a, r) => a + r.rewardMean!, 0) / xs.length;
  const summary = { kind: 'done', steps: curve.length, seconds: (Date.now() - started) / 1000, firstQuarterReward: mean(head), lastQuarterReward: mean(tail), probeReward: { before: probeBefore, after: probeAfter }, files: ['zopro-record.json', 'rewards.jsonl', 'config.json'] };
  if (json) io.stdout(JSON.stringify(summary));
  else io.stdout(`fixed-seed mean reward ${probeBefore.toFixed(3)} -> ${probeAfter.toFixed(3)}; rollout mean ${summary.firstQuarterReward.toFixed(3)} (first quarter) -> ${summary.lastQuarterReward.toFixed(3)} (last quarter) over ${curve.length} steps (${summary.seconds.toFixed(0)} s); wrote ${summary.files.join(', ')} to ${out}`);
  return 0;
}
