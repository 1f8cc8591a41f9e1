// Random access to the bytes of one file, wherever it lives (a Blob in the browser, a file
// on disk in Node, an HTTP Range request, a cached download). Readers ask for ranges, never
// for whole files, so a multi-GB checkpoint never sits in JavaScript memory.

export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes from `offset`; rejects for ranges outside [0, size). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** Throws a RangeError for a request outside the file (a reader bug or a corrupt header). */
export function checkRange(source: { name: string; size: number }, offset: number, length: number): void {
  if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= source.size)) {
    throw new RangeError(`${source.name}: read of ${length} bytes at ${offset} is outside the ${source.size}-byte file`);
  }
}

export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      checkRange(this, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(this, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** The whole (small) file as text: config.json, tokenizer.json. */
export async function readText(source: ByteSource): Promise<string> {
  return new TextDecoder().decode(await source.read(0, source.size));
}
