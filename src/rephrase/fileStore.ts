// Node/CLI persistence for rephrase jobs: one JSON file per key under a folder (the CLI's
// output folder), written to a temporary name and renamed so a crash never leaves half a file.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyValueStore } from './storage';

/** Keys become file names: anything outside [A-Za-z0-9._-] is percent-encoded. */
function fileName(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`) + '.json';
}

export class FileStore implements KeyValueStore {
  private ready: Promise<unknown> | null = null;
  private seq = 0;

  constructor(readonly dir: string) {}

  private ensureDir(): Promise<unknown> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    return this.ready;
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, fileName(key)), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.ensureDir();
    const path = join(this.dir, fileName(key));
    const tmp = `${path}.${process.pid}.${this.seq++}.tmp`;
    await writeFile(tmp, JSON.stringify(value), 'utf8');
    await rename(tmp, path);
  }

  async del(key: string): Promise<void> {
    await rm(join(this.dir, fileName(key)), { force: true });
  }
}
