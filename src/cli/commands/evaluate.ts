// `zo-studio eval`: accuracy and loss of a model on one split of a task folder; with --run, of
// the weights a run record reproduces (replayed onto the freshly loaded model).
import { readFile } from 'node:fs/promises';
import { numberFlag, optionalString, parseArgs, stringFlag } from '../args';
import type { CliIo } from '../io';
import { acquireCliBackend } from '../gpu';
import { loadCliModel } from '../openModel';
import { setCliTask } from '../taskArg';
import { Session } from '../../engine/session/session';
import { startRun } from '../../engine/session/startRun';
import { decodeRunRecord } from '../../engine/zo/record';
import { InvalidFileError } from '../../engine/files/invalidFile';
import type { TrainConfig } from '../../engine/api';
import { applyAdapter } from '../adapterArg';

export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const split = stringFlag(args, 'split', 'dev');
  const limit = numberFlag(args, 'limit', 0);
  const ctx = await acquireCliBackend(io, args);
  const session = new Session(ctx);
  session.setModel(await loadCliModel(ctx, args, io));
  // All splits: a replayed sparse run recalibrates on the train rows, as training did.
  const task = await setCliTask(session, args, io, stringFlag(args, 'task'));
  if (!task.splits[split]) throw new Error(`the task has no ${split} split (it has ${Object.keys(task.splits).join(', ')})`);
  const runPath = optionalString(args, 'run');
  const adapterPath = optionalString(args, 'adapter');
  let source = 'base model';
  if (runPath) {
    const bytes = new Uint8Array(await readFile(runPath));
    const record = decodeRunRecord(bytes, runPath);
    const config = record.header.meta?.config as TrainConfig | undefined;
    if (!config) throw new InvalidFileError(runPath, 'header.meta.config', 'the training config (records written by zo-studio train or the app hold it)', 'missing');
    await startRun(session, config, bytes);
    source = `${runPath} (${record.steps.length} steps replayed)`;
  } else if (adapterPath) {
    source = await applyAdapter(session, adapterPath);
  }
  const m = await session.evaluate(split, limit);
  if (args.flags.has('json')) io.stdout(JSON.stringify({ split, accuracy: m.accuracy, loss: m.loss, n: m.n }));
  else io.stdout(`${split}: accuracy ${(100 * m.accuracy).toFixed(2)}% (n=${m.n}), loss ${m.loss.toFixed(4)} — ${source}`);
  return 0;
}
