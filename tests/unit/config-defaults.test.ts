// One home for a run's defaults (src/engine/config): the app's default run and the CLI's are the
// same config, `--mode lora|sparse` with no other flag trains what the README measured, and the
// presets written as deltas give the settings their descriptions state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, PRESETS, TUNING_MODES, applyPresetTo, defaultConfigFor } from '../../src/engine/config';
import { parseArgs } from '../../src/cli/args';
import { trainConfigFromArgs } from '../../src/cli/trainConfig';
import { getState } from '../../src/store/state';
import { completeConfig } from '../../src/store/training/actions';
import { REPO_ROOT } from '../helpers/paths';

const cli = (argv: string[]) => trainConfigFromArgs(parseArgs(argv, ['json', 'one-sided']));

/** The `zo-studio train` commands of the README's "MeZO on the demo model" section, as argv. */
function readmeTrainCommands(): string[][] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### MeZO on the demo model'), readme.indexOf('### Learned block variances'));
  return [...section.matchAll(/node bin\/zo-studio\.mjs train ((?:[^\n]*\\\n)*[^\n]*)/g)].map((m) => m[1].replace(/\\\n/g, ' ').trim().split(/\s+/));
}

describe('one home for run defaults', () => {
  it("the app's default run is the CLI's default run", () => {
    expect(completeConfig(getState().config)).toEqual(cli([]));
    expect(cli([])).toEqual(DEFAULT_TRAIN_CONFIG);
  });

  it.each(TUNING_MODES)('--mode %s trains defaultConfigFor(mode), with the options block the app fills in', (mode) => {
    const fromCli = cli(['--mode', mode]);
    expect(fromCli).toEqual(defaultConfigFor(mode));
    const app = completeConfig({ ...getState().config, mode });
    expect(app.lora).toEqual(fromCli.lora);
    expect(app.sparse).toEqual(fromCli.sparse);
  });

  it("the README's measured full, LoRA and sparse runs are each mode's defaults plus length and evaluation flags", () => {
    const commands = readmeTrainCommands();
    expect(commands.map((argv) => argv[argv.indexOf('--mode') + 1])).toEqual(['full', 'lora', 'sparse']);
    for (const argv of commands) {
      // Keep only what is not a training hyperparameter: run length, evaluation, paths, base precision.
      const kept: string[] = [];
      for (let i = 0; i < argv.length; i += 2) {
        if (['--mode', '--steps', '--eval-every', '--eval-limit', '--task', '--out', '--quant'].includes(argv[i])) kept.push(argv[i], argv[i + 1]);
      }
      expect(cli(kept)).toEqual(cli(argv));
    }
  });

  it('presets are deltas from the default run and do not depend on what was set before', () => {
    const quick = PRESETS.find((p) => p.name === 'Quick demo')!;
    const tinkered = { ...DEFAULT_TRAIN_CONFIG, mode: 'sparse' as const, lr: 0.5, batch: 3, steps: 7, evalEvery: 1, evalLimit: 9, q: 4, optimizer: 'zo-adam' as const };
    expect(applyPresetTo(tinkered, quick)).toEqual(DEFAULT_TRAIN_CONFIG);
    for (const preset of PRESETS) {
      expect(applyPresetTo(tinkered, preset)).toEqual(applyPresetTo(DEFAULT_TRAIN_CONFIG, preset));
      for (const [key, value] of Object.entries(preset.delta)) expect(value, `${preset.name}: ${key} repeats the default`).not.toEqual(DEFAULT_TRAIN_CONFIG[key as keyof typeof DEFAULT_TRAIN_CONFIG]);
    }
    const paper = applyPresetTo(tinkered, PRESETS.find((p) => p.name === 'Paper defaults')!);
    expect(paper).toMatchObject({ mode: 'full', optimizer: 'zo-sgd', lr: 1e-6, eps: 1e-3, batch: 16, steps: 20_000, q: 1, evalEvery: 4_000, evalLimit: 0, schedule: 'constant' });
  });
});
