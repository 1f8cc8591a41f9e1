// `zo-studio replay`: rebuild a run's trained weights from its record (seeds + projected
// gradients, 16 bytes a step) on the base model, and write them out as the run's export.
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../recordFile';
import { dirname, join } from 'node:path';
import { parseArgs, stringFlag } from '../args';
import type { CliIo } from '../io';
import { acquireCliBackend } from '../gpu';
import { loadCliModel } from '../openModel';
import { setCliTask } from '../taskArg';
import { exportRunWeights } from '../../engine/session/exportWeights';
import { Session } from '../../engine/session/session';
import { startRun } from '../../engine/session/startRun';
import { decodeRunRecord, looksLikeRunRecord } from '../../engine/zo/record';
import { decodeZoproRecord, encodeZoproRecord } from '../../engine/preference/zoproRecord';
import { validateTrainConfig } from '../../engine/zo/validateConfig';
import { parseJsonFile } from '../../engine/files/invalidFile';
import { InvalidFileError } from '../../engine/files/invalidFile';
import type { TrainConfig } from '../../engine/api';

export async function replayCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const runPath = stringFlag(args, 'run');
  const out = stringFlag(args, 'out');
  const { bytes, config, steps } = await readReplayRecord(runPath);
  const ctx = await acquireCliBackend(io, args);
  const session = new Session(ctx);
  session.setModel(await loadCliModel(ctx, args, io));
  // The task is needed for sparse calibration and sizing; the run's own task folder.
  await setCliTask(session, args, io, stringFlag(args, 'task'));
  const run = await startRun(session, config, bytes);
  const files = await exportRunWeights(ctx, session, run);
  await mkdir(out, { recursive: true });
  for (const f of files) await writeFileAtomic(join(out, f.name), f.bytes);
  const result = { steps, files: files.map((f) => f.name), out };
  io.stdout(args.flags.has('json') ? JSON.stringify(result) : `replayed ${result.steps} steps; wrote ${result.files.join(', ')} to ${out}`);
  return 0;
}

/**
 * The record to replay and the config it was trained with (its header's). A ZOPrO record of older
 * versions (JSON zopro-record.json, without the config) takes the config.json train wrote beside it.
 */
async function readReplayRecord(runPath: string): Promise<{ bytes: Uint8Array; config: TrainConfig; steps: number }> {
  const bytes = new Uint8Array(await readFile(runPath));
  if (!looksLikeRunRecord(bytes)) {
    const saved = decodeZoproRecord(bytes, runPath);
    const configPath = join(dirname(runPath), 'config.json');
    const text = await readFile(configPath, 'utf8').catch(() => {
      throw new InvalidFileError(configPath, 'the file', 'the config.json `zo-studio train` wrote next to this JSON ZOPrO record (older records do not hold their config)', 'missing');
    });
    const config = validateTrainConfig(parseJsonFile(text, configPath), configPath, 'the config');
    return { bytes: encodeZoproRecord(saved, { config }), config, steps: saved.steps.length };
  }
  const record = decodeRunRecord(bytes, runPath);
  const config = record.header.meta?.config as TrainConfig | undefined;
  if (!config) throw new InvalidFileError(runPath, 'header.meta.config', 'the training config (records written by zo-studio train or the app hold it)', 'missing');
  return { bytes, config, steps: record.steps.length };
}
