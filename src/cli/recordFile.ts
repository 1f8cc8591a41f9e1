// Files a CLI run writes so that nothing is lost when it is killed: the run record grows as the
// run goes (an open record, zo/record.ts: header first, then each step's entry appended as the run
// loop reports it, 16 bytes or a v3 entry with extras, fsync every N steps), and every other file (config.json, exports, the closed record at the
// end) is written whole to a temporary name and renamed over the target, so a kill leaves the
// old file or the new one, never half of one.
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { closeRecord } from '../engine/zo/record';

/** Writes `bytes` to `path` through a temporary file, fsynced before the rename (unless `sync` is false). */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, sync = true): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(bytes);
    if (sync) await file.sync();
  } catch (e) {
    await file.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await file.close();
  await rename(tmp, path);
}

/** The record of a running run on disk: what `train --resume` continues and `replay` rebuilds. */
export class RecordFileWriter {
  private sinceSync = 0;
  private steps: number;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly file: FileHandle,
    stepsDone: number,
    private readonly fsyncEvery: number,
  ) {
    this.steps = stepsDone;
  }

  /** Starts the file with the run's open record (Run.encodeRecord: a resumed run's steps are in it). */
  static async create(path: string, openRecord: Uint8Array, stepsDone: number, fsyncEvery: number): Promise<RecordFileWriter> {
    await writeFileAtomic(path, openRecord);
    return new RecordFileWriter(path, await open(path, 'a'), stepsDone, Math.max(1, Math.floor(fsyncEvery)));
  }

  /**
   * Appends a finished step's entry (StepOutcome.entry), after `after` when given (a file that must
   * be on disk before the record says the step is done). Writes queue in order; errors surface in finish.
   */
  append(entry: Uint8Array, after?: Promise<unknown>): Promise<void> {
    this.steps++;
    this.queue = this.queue.then(async () => {
      await after;
      await this.file.write(entry);
      if (++this.sinceSync >= this.fsyncEvery) {
        await this.file.sync();
        this.sinceSync = 0;
      }
    });
    this.queue.catch(() => undefined); // kept for finish(), which rethrows
    return this.queue;
  }

  /** Replaces the open file by the closed record (its step count in the header): the bytes on disk, closed. */
  async finish(): Promise<void> {
    await this.queue;
    await this.file.sync();
    await this.file.close();
    await writeFileAtomic(this.path, closeRecord(new Uint8Array(await readFile(this.path)), this.steps));
  }

  async close(): Promise<void> {
    await this.file.close().catch(() => undefined);
  }
}
