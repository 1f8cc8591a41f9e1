// `zo-studio learn-scales`: learns per-block perturbation variances (ZO Fine-tuner style,
// src/engine/training/blockScales.ts) for a model and tuning mode on a task's first train batch,
// and writes the profile as JSON for `train --block-scales FILE` on this or any other task.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../recordFile';
import { parseArgs, numberFlag, stringFlag } from '../args';
import type { CliIo } from '../io';
import { acquireCliBackend } from '../gpu';
import { loadCliModel } from '../openModel';
import { readTaskDir } from '../taskArg';
import { trainConfigFromArgs } from '../trainConfig';
import { Session } from '../../engine/session/session';
import { learnBlockScales } from '../../engine/session/learnBlockScales';
import { LEARN_BLOCK_SCALES_DEFAULTS, blockScalesOf } from '../../engine/training/blockScales';
import type { BlockScaleProfile } from '../../engine/api';
import { FieldReader } from '../../engine/files/fields';
import { parseJsonFile } from '../../engine/files/invalidFile';

export const LEARN_SCALES_USAGE = `  learn-scales --model M --task DIR --out scales.json [--mode full|lora|sparse ...as train]
          [--batch 16] [--probes 4] [--probe-eps 1e-2] [--json]   per-block perturbation variances,
          learned once for the model and mode; use them with train --block-scales scales.json`;

export async function learnScalesCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json', 'one-sided']);
  const config = trainConfigFromArgs(args);
  const out = stringFlag(args, 'out');
  const probes = numberFlag(args, 'probes', LEARN_BLOCK_SCALES_DEFAULTS.probes);
  const eps = numberFlag(args, 'probe-eps', LEARN_BLOCK_SCALES_DEFAULTS.eps);
  const ctx = await acquireCliBackend(io, args);
  const session = new Session(ctx);
  session.setModel(await loadCliModel(ctx, args, io));
  session.setTask(await readTaskDir(stringFlag(args, 'task')));
  const started = Date.now();
  let shown = -1;
  const profile = await learnBlockScales(session, config, {
    probes, eps,
    onProgress: (done, total) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== shown && !args.flags.has('json')) io.stderr(`probed ${done} / ${total} blocks`);
      shown = tenth;
    },
  });
  await writeFileAtomic(out, JSON.stringify(profile, null, 2));
  const s = profile.blocks.map((b) => b.scale);
  const summary = { kind: 'done', blocks: s.length, minScale: Math.min(...s), maxScale: Math.max(...s), seconds: (Date.now() - started) / 1000, file: out };
  if (args.flags.has('json')) io.stdout(JSON.stringify(summary));
  else io.stdout(`${s.length} blocks, scales ${summary.minScale.toFixed(3)} .. ${summary.maxScale.toFixed(3)} (${summary.seconds.toFixed(0)} s); wrote ${out}`);
  return 0;
}

/** Reads `train --block-scales FILE`: a profile from learn-scales, or a plain {tensor: scale} map. */
export async function readBlockScales(path: string): Promise<Record<string, number>> {
  const json = parseJsonFile(await readFile(path, 'utf8'), path);
  const blocks = (json as Partial<BlockScaleProfile>)?.blocks;
  const f = new FieldReader(path);
  if (Array.isArray(blocks)) {
    // A learn-scales profile: each block a name and a positive scale (blockScalesOf maps them).
    blocks.forEach((b, i) => {
      const block = f.object(b, `blocks[${i}]`);
      f.string(block.name, `blocks[${i}].name`, true);
      f.number(block.scale, `blocks[${i}].scale`, { above: 0 });
    });
    return blockScalesOf({ blocks: blocks as BlockScaleProfile['blocks'] });
  }
  const scales = f.object(json, 'the file (a learn-scales profile or a {tensor name: scale} object; make one with zo-studio learn-scales)');
  for (const [name, scale] of Object.entries(scales)) f.number(scale, JSON.stringify(name), { above: 0 });
  return scales as Record<string, number>;
}
