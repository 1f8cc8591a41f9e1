// Node-only: local files as ByteSources through fs handles (positional reads, no whole-file
// buffers), and a folder on disk as ModelFiles. Browser bundles must never import this file.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRange, type ByteSource } from './byteSource';
import type { FileRecord, ModelFiles } from './modelFiles';

export async function nodeFileSource(path: string, name = path): Promise<ByteSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    name,
    size,
    async read(offset, length) {
      checkRange({ name, size }, offset, length);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new RangeError(`${name}: file ended at ${offset + done} of ${size} bytes (was it truncated while open?)`);
        done += bytesRead;
      }
      return out;
    },
    async close() {
      await handle.close();
    },
  };
}

/** A folder on disk; file names may contain '/' for sub-folders. */
export function nodeFolder(dir: string): ModelFiles {
  const opened: FileRecord[] = [];
  return {
    label: dir,
    async open(name) {
      const path = join(dir, name);
      try {
        if (!(await stat(path)).isFile()) return null;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      const source = await nodeFileSource(path, name);
      opened.push({ name, size: source.size });
      return source;
    },
    async list() {
      return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
    },
    records: () => opened,
  };
}
