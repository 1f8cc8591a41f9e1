// allclose in numpy's sense: |a - b| <= atol + rtol * |b|, elementwise, with a readable report.
import { expect } from 'vitest';
import { seededUniform } from '../../src/engine/training/seededUniform';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export function expectAllclose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const limit = tol.atol + tol.rtol * Math.abs(b);
    const err = Math.abs(a - b);
    if (!(err <= limit)) {
      bad++;
      const excess = Number.isNaN(err) ? Infinity : err - limit;
      if (excess > worstExcess || worst < 0) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    expect.fail(
      `${what}: ${bad}/${expected.length} outside atol=${tol.atol} rtol=${tol.rtol}; ` +
        `worst at [${worst}]: got ${actual[worst]}, want ${expected[worst]}`,
    );
  }
}

/** Deterministic uniform(-scale, scale) values for kernel tests (mulberry32, as the engine's initialiser). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  return seededUniform(n, seed, scale);
}
