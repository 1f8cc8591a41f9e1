// Helpers of the run-record validation tests: which field an InvalidFileError names, and record
// bytes with a hand-written header (any JSON), to feed the reader what no writer would write.
import { expect } from 'vitest';
import { InvalidFileError } from '../../src/engine/files/invalidFile';
import { RECORD_STEP_BYTES } from '../../src/engine/zo/record';

/** The field the InvalidFileError `f` throws names (fails the test when it throws anything else). */
export function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidFileError);
    return (e as InvalidFileError).field;
  }
  throw new Error('expected an InvalidFileError');
}

/** Record bytes with a hand-written header (any JSON) at magic version `version`, room for `steps` 16-byte entries. */
export function rawRecord(header: unknown, steps = 0, version = 2): Uint8Array {
  let json = JSON.stringify(header);
  while (new TextEncoder().encode(json).length % 4) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(16 + head.length + steps * RECORD_STEP_BYTES);
  out.set([0x5a, 0x4f, 0x52, 0x45, 0x43, version, 0, 0]);
  const view = new DataView(out.buffer);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  view.setUint32(12 + head.length, steps, true);
  return out;
}
