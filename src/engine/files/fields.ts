// Field-by-field checks of a parsed user file (JSON header, run file, config): each reads one
// value at a JSON path and returns it typed, or throws InvalidFileError naming the file, the
// path and what was expected. Readers use these instead of casting, so a file with a wrong
// type or range never reaches the engine as NaN or `undefined is not iterable`.
import { describeValue, InvalidFileError } from './invalidFile';

export type Json = Record<string, unknown>;

export class FieldReader {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, found: unknown): never {
    throw new InvalidFileError(this.file, path, expected, describeValue(found));
  }

  object(value: unknown, path: string): Json {
    if (!value || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'an object', value);
    return value as Json;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'an array', value);
    return value;
  }

  string(value: unknown, path: string, nonEmpty = false): string {
    if (typeof value !== 'string' || (nonEmpty && !value)) this.fail(path, nonEmpty ? 'a non-empty string' : 'a string', value);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'true or false', value);
    return value;
  }

  /** A finite number in [min, max] (or (min, max] when `above` is set). */
  number(value: unknown, path: string, range: { min?: number; above?: number; max?: number } = {}): number {
    const { min, above, max } = range;
    const bounds = [above !== undefined ? `> ${above}` : min !== undefined ? `>= ${min}` : '', max !== undefined ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    const ok = typeof value === 'number' && Number.isFinite(value) && (min === undefined || value >= min) && (above === undefined || value > above) && (max === undefined || value <= max);
    if (!ok) this.fail(path, `a finite number${bounds ? ` ${bounds}` : ''}`, value);
    return value as number;
  }

  integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(path, `an integer from ${min} to ${max}`, value);
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) this.fail(path, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
    return value as T;
  }

  /** `read(value)` when the value is present (not undefined), else undefined. */
  optional<T>(value: unknown, read: (v: unknown) => T): T | undefined {
    return value === undefined ? undefined : read(value);
  }
}
