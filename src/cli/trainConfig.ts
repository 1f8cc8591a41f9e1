// Training flags -> TrainConfig. Every flag defaults to the app's default run
// (src/engine/config: DEFAULT_TRAIN_CONFIG), except that --mode lora|sparse default to the
// learning rate measured to work for that mode (MODE_LR) and to its options block
// (DEFAULT_LORA, DEFAULT_SPARSE): `zo-studio train --mode M` trains defaultConfigFor(M).
import type { TrainConfig } from '../engine/api';
import {
  DEFAULT_LORA, DEFAULT_SPARSE, LR_SCHEDULES, OBJECTIVES, OPTIMIZER_NAMES, SPARSE_SCORES, TUNING_MODES, defaultConfigFor, isOneOf,
} from '../engine/config';
import { parseLayerList, parseProjectionList } from '../engine/training/trainable';
import { boolFlag, numberFlag, optionalString, stringFlag, UsageError, type ParsedArgs } from './args';

function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = stringFlag(args, name, fallback);
  if (!isOneOf(allowed, v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${v}"`);
  return v;
}

/** A list flag parsed by the engine's parser, its error turned into a usage error. */
function cliList<T>(flag: string, parse: (spec: string) => T[], spec: string): T[] {
  try {
    return parse(spec);
  } catch (e) {
    throw new UsageError(`--${flag}: ${(e as Error).message}`);
  }
}

const d = defaultConfigFor('full');
/** The train flags with their defaults, for `zo-studio --help` (written from the same constants). */
export const TRAIN_USAGE = `  train   --model M --task DIR --out DIR [--mode ${TUNING_MODES.join('|')}] [--optimizer ${OPTIMIZER_NAMES.join('|')}]
          [--steps ${d.steps}] [--lr ${d.lr} (lora ${defaultConfigFor('lora').lr}, sparse ${defaultConfigFor('sparse').lr})] [--eps ${d.eps}] [--batch ${d.batch}]
          [--q ${d.q}] [--seed ${d.seed}] [--schedule ${LR_SCHEDULES.join('|')}] [--eval-every ${d.evalEvery}] [--eval-limit ${d.evalLimit} (0 = all)]
          [--layers 0,2-3 --projections q,v (full mode: train only these)]
          [--lora-rank ${DEFAULT_LORA.rank} --lora-alpha ${DEFAULT_LORA.alpha} --lora-targets ${DEFAULT_LORA.targets.join(',')}] [--sparse-fraction ${DEFAULT_SPARSE.fraction}
          --sparse-score ${SPARSE_SCORES.join('|')} --calibration-rows ${DEFAULT_SPARSE.calibrationRows}] [--block-scales scales.json] [--resume run.zorec] [--json]
          [--row-derivs: record each step's per-row directional derivatives for influence --run]`;

export function trainConfigFromArgs(args: ParsedArgs): TrainConfig {
  const mode = oneOf(args, 'mode', TUNING_MODES, 'full');
  const defaults = defaultConfigFor(mode);
  const config: TrainConfig = {
    mode,
    optimizer: oneOf(args, 'optimizer', OPTIMIZER_NAMES, defaults.optimizer),
    objective: oneOf(args, 'objective', OBJECTIVES, defaults.objective),
    steps: numberFlag(args, 'steps', defaults.steps),
    lr: numberFlag(args, 'lr', defaults.lr),
    eps: numberFlag(args, 'eps', defaults.eps),
    batch: numberFlag(args, 'batch', defaults.batch),
    q: numberFlag(args, 'q', defaults.q),
    seed: numberFlag(args, 'seed', defaults.seed),
    weightDecay: numberFlag(args, 'weight-decay', defaults.weightDecay),
    schedule: oneOf(args, 'schedule', LR_SCHEDULES, defaults.schedule),
    clip: numberFlag(args, 'clip', defaults.clip),
    oneSided: boolFlag(args, 'one-sided'),
    evalEvery: numberFlag(args, 'eval-every', defaults.evalEvery),
    evalSplit: stringFlag(args, 'eval-split', defaults.evalSplit),
    evalLimit: numberFlag(args, 'eval-limit', defaults.evalLimit),
  };
  if (mode === 'full' && (args.flags.has('layers') || args.flags.has('projections'))) {
    const layers = optionalString(args, 'layers');
    const projections = optionalString(args, 'projections');
    config.full = {
      layers: layers === undefined ? undefined : cliList('layers', parseLayerList, layers),
      projections: projections === undefined ? undefined : cliList('projections', parseProjectionList, projections),
    };
  }
  if (mode === 'lora') {
    const lora = defaults.lora!;
    config.lora = {
      rank: numberFlag(args, 'lora-rank', lora.rank),
      alpha: numberFlag(args, 'lora-alpha', lora.alpha),
      targets: optionalString(args, 'lora-targets')?.split(',') ?? lora.targets,
    };
  }
  if (mode === 'sparse') {
    const sparse = defaults.sparse!;
    config.sparse = {
      fraction: numberFlag(args, 'sparse-fraction', sparse.fraction),
      score: oneOf(args, 'sparse-score', SPARSE_SCORES, sparse.score),
      calibrationRows: numberFlag(args, 'calibration-rows', sparse.calibrationRows),
    };
  }
  if (config.momentum === undefined && args.flags.has('momentum')) config.momentum = numberFlag(args, 'momentum');
  // Only when asked, so a config without it reads as before (a resume compares every field).
  if (boolFlag(args, 'row-derivs')) config.rowDerivatives = true;
  if (!(config.steps >= 1 && config.batch >= 1 && config.lr > 0 && config.eps > 0)) throw new UsageError('--steps and --batch must be >= 1, --lr and --eps > 0');
  return config;
}
