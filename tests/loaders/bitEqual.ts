// Bit-exact comparison of float arrays (distinguishes -0 from 0, compares NaN payloads), fast
// on large arrays, with the first difference in the message.
import { expect } from 'vitest';

export function expectBitEqual(actual: Float32Array, expected: Float32Array, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  if (Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0) return;
  let i = 0;
  while (a[i] === b[i]) i++;
  let bad = 0;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) bad++;
  expect.fail(`${what}: ${bad}/${a.length} differ; first at [${i}]: got ${actual[i]}, want ${expected[i]}`);
}
