// Training flags -> TrainConfig, with the defaults of the app's "Paper defaults" preset for the
// demo model (MeZO: lr 1e-4 found best on the demo tasks, eps 1e-3, batch 16; see README).
import type { OptimizerName, TrainConfig, TuningMode, Objective, LrSchedule } from '../engine/api';
import { parseLayerList, parseProjectionList } from '../engine/training/trainable';
import { boolFlag, numberFlag, optionalString, stringFlag, UsageError, type ParsedArgs } from './args';

const MODES: TuningMode[] = ['full', 'lora', 'sparse'];
const OPTIMIZERS: OptimizerName[] = ['zo-sgd', 'zo-sgd-sign', 'zo-sgd-momentum', 'zo-sgd-cons', 'zo-adam'];
const OBJECTIVES: Objective[] = ['classification', 'lm', 'neg-accuracy', 'dpo', 'zopro'];
const SCHEDULES: LrSchedule[] = ['constant', 'linear', 'cosine'];

function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: T[], fallback: T): T {
  const v = stringFlag(args, name, fallback);
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${v}"`);
  return v as T;
}

/** A list flag parsed by the engine's parser, its error turned into a usage error. */
function cliList<T>(flag: string, parse: (spec: string) => T[], spec: string): T[] {
  try {
    return parse(spec);
  } catch (e) {
    throw new UsageError(`--${flag}: ${(e as Error).message}`);
  }
}

export function trainConfigFromArgs(args: ParsedArgs): TrainConfig {
  const mode = oneOf(args, 'mode', MODES, 'full');
  const config: TrainConfig = {
    mode,
    optimizer: oneOf(args, 'optimizer', OPTIMIZERS, 'zo-sgd'),
    objective: oneOf(args, 'objective', OBJECTIVES, 'classification'),
    steps: numberFlag(args, 'steps', 100),
    lr: numberFlag(args, 'lr', mode === 'full' ? 1e-4 : 1e-3),
    eps: numberFlag(args, 'eps', 1e-3),
    batch: numberFlag(args, 'batch', 16),
    q: numberFlag(args, 'q', 1),
    seed: numberFlag(args, 'seed', 0),
    weightDecay: numberFlag(args, 'weight-decay', 0),
    schedule: oneOf(args, 'schedule', SCHEDULES, 'constant'),
    clip: numberFlag(args, 'clip', 0),
    oneSided: boolFlag(args, 'one-sided'),
    evalEvery: numberFlag(args, 'eval-every', 0),
    evalSplit: stringFlag(args, 'eval-split', 'dev'),
    evalLimit: numberFlag(args, 'eval-limit', 0),
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
    config.lora = {
      rank: numberFlag(args, 'lora-rank', 8),
      alpha: numberFlag(args, 'lora-alpha', 16),
      targets: (optionalString(args, 'lora-targets') ?? 'q,v').split(','),
    };
  }
  if (mode === 'sparse') {
    const score = oneOf(args, 'sparse-score', ['activation', 'magnitude', 'random'], 'activation');
    config.sparse = { fraction: numberFlag(args, 'sparse-fraction', 1e-3), score, calibrationRows: numberFlag(args, 'calibration-rows', 32) };
  }
  if (config.momentum === undefined && args.flags.has('momentum')) config.momentum = numberFlag(args, 'momentum');
  if (!(config.steps >= 1 && config.batch >= 1 && config.lr > 0 && config.eps > 0)) throw new UsageError('--steps and --batch must be >= 1, --lr and --eps > 0');
  return config;
}
