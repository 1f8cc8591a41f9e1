// Node-only cache backend: one folder per model under the cache root (default
// ~/.cache/zo-studio, or $ZO_STUDIO_CACHE), the model's files inside it and its index entry in
// `entry.json`. Browser bundles must never import this file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat, truncate, writeFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelCache, type CacheBackend, type CachedModel } from './modelCache';
import { nodeFileSource } from './nodeFileSource';

export function defaultCacheDir(): string {
  return process.env.ZO_STUDIO_CACHE || join(homedir(), '.cache', 'zo-studio');
}

/** A readable, collision-free folder name for a cache key. */
function folderName(key: string): string {
  const slug = key.replace(/^[a-z]+:(https?:\/\/)?/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
  return `${slug}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export class NodeFolderCacheBackend implements CacheBackend {
  constructor(readonly root: string = defaultCacheDir()) {}

  private dir(key: string): string {
    return join(this.root, folderName(key));
  }

  private path(key: string, file: string): string {
    if (file.split('/').some((p) => p === '..' || p === '')) throw new Error(`refusing cache file name ${file}`);
    return join(this.dir(key), 'files', file);
  }

  async getEntry(key: string): Promise<CachedModel | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir(key), 'entry.json'), 'utf8')) as CachedModel;
    } catch (e) {
      // No entry, or a damaged one (not JSON): not cached; the next load fetches and rewrites it.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  async putEntry(entry: CachedModel): Promise<void> {
    const dir = this.dir(entry.key);
    await mkdir(dir, { recursive: true });
    // Write-then-rename so a crash never leaves half an index entry.
    await writeFile(join(dir, 'entry.json.tmp'), JSON.stringify(entry, null, 1));
    await rename(join(dir, 'entry.json.tmp'), join(dir, 'entry.json'));
  }

  async listEntries(): Promise<CachedModel[]> {
    let dirs: string[];
    try {
      dirs = await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: CachedModel[] = [];
    for (const d of dirs) {
      try {
        out.push(JSON.parse(await readFile(join(this.root, d, 'entry.json'), 'utf8')) as CachedModel);
      } catch {
        // a folder without an entry (a download that never finished a file): not listed
      }
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  }

  async remove(key: string): Promise<void> {
    await rm(this.dir(key), { recursive: true, force: true });
  }

  async storedBytes(key: string, file: string): Promise<number> {
    try {
      return (await stat(this.path(key, file))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  }

  async openWriter(key: string, file: string, from: number) {
    const path = this.path(key, file);
    await mkdir(dirname(path), { recursive: true });
    if (from > 0) await truncate(path, from);
    const handle = await open(path, from > 0 ? 'a' : 'w');
    return {
      async write(chunk: Uint8Array) {
        let done = 0;
        while (done < chunk.byteLength) done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
      },
      async close() {
        await handle.close();
      },
    };
  }

  openReader(key: string, file: string) {
    return nodeFileSource(this.path(key, file), file);
  }

  async sha256(key: string, file: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.path(key, file))) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}

export function nodeFolderCache(root?: string): ModelCache {
  return new ModelCache(new NodeFolderCacheBackend(root));
}
