// Files a CLI run writes so that nothing is lost when it is killed: the run record grows as the
// run goes (an open v2 record, zo/record.ts: header first, then 16 bytes appended per step,
// fsync every N steps), and every other file (config.json, exports, the closed record at the
// end) is written whole to a temporary name and renamed over the target, so a kill leaves the
// old file or the new one, never half of one.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { encodeOpenRecord, encodeRecordSteps, encodeRunRecord, type ZoRunRecord } from '../engine/zo/record';

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
  private written: number;
  private sinceSync = 0;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly file: FileHandle,
    private readonly record: ZoRunRecord,
    private readonly fsyncEvery: number,
  ) {
    this.written = record.steps.length;
  }

  /** Starts the file with the record's header and the steps it already has (a resumed run's). */
  static async create(path: string, record: ZoRunRecord, fsyncEvery: number): Promise<RecordFileWriter> {
    await writeFileAtomic(path, encodeOpenRecord(record));
    return new RecordFileWriter(path, await open(path, 'a'), record, Math.max(1, Math.floor(fsyncEvery)));
  }

  /** Appends the steps the record gained since the last call (writes queue in order; errors surface in finish). */
  sync(): Promise<void> {
    this.queue = this.queue.then(() => this.flush());
    this.queue.catch(() => undefined); // kept for finish(), which rethrows
    return this.queue;
  }

  private async flush(): Promise<void> {
    const fresh = this.record.steps.slice(this.written);
    if (!fresh.length) return;
    this.written += fresh.length;
    await this.file.write(encodeRecordSteps(this.record.header.hyper, fresh));
    this.sinceSync += fresh.length;
    if (this.sinceSync >= this.fsyncEvery) {
      await this.file.sync();
      this.sinceSync = 0;
    }
  }

  /** Replaces the open file by the closed record (its step count in the header). */
  async finish(): Promise<void> {
    await this.sync();
    await this.file.sync();
    await this.file.close();
    await writeFileAtomic(this.path, encodeRunRecord(this.record));
  }

  async close(): Promise<void> {
    await this.file.close().catch(() => undefined);
  }
}
