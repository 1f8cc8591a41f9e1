// A model's files as the resolver sees them: a local folder, files the user dropped, a Hub
// repository (through HTTP and the cache). `open` returns null for a file that is not there.
import { blobSource, type ByteSource } from './byteSource';

export interface FileRecord {
  name: string;
  size: number;
  /** Hex sha-256 when known (the Hub's LFS etag, or hashed by the cache). */
  sha256?: string;
}

export interface ModelFiles {
  /** Shown in messages: a repo id, a folder path, a URL. */
  readonly label: string;
  /** The file, or null when the folder has no such file (HTTP 404, ENOENT). */
  open(name: string): Promise<ByteSource | null>;
  /** All file names, where the place can list them (local folders); remote ones cannot. */
  list?(): Promise<string[]>;
  /** What was opened, with sizes and hashes where known. */
  records(): FileRecord[];
}

/** Files picked or dropped in the browser (a folder's files, or one .gguf). */
export function droppedFiles(label: string, files: File[]): ModelFiles {
  const byName = new Map<string, File>();
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    byName.set(rel.split('/').slice(1).join('/') || f.name, f);
    byName.set(f.name, f);
  }
  const opened: FileRecord[] = [];
  return {
    label,
    async open(name) {
      const f = byName.get(name);
      if (!f) return null;
      opened.push({ name, size: f.size });
      return blobSource(name, f);
    },
    async list() {
      return [...new Set(files.map((f) => f.name))];
    },
    records: () => opened,
  };
}
