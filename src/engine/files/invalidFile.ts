// One typed error for every file a user hands the product (model configs, checkpoints, task
// files, run records, adapters, sparse deltas, app run files). It names the file, the field and
// what was expected, so the CLI and the app can say exactly what to fix; no bare TypeError or
// RangeError from a parser ever reaches a user. `kind` lets the UI switch without matching text.

export class InvalidFileError extends Error {
  readonly kind = 'invalid-file';
  constructor(
    /** The file as the user knows it: a path, a file name, or "run file" for an import. */
    readonly file: string,
    /** Where in the file: a JSON path (`meta.config.lr`), a tensor name, a line number. */
    readonly field: string,
    /** What the format requires there, in words a user can act on. */
    readonly expected: string,
    /** What was found, when it helps (kept short; never a whole file). */
    readonly found?: string,
  ) {
    super(`${file}: ${field} ${found === undefined ? 'is invalid' : `is ${found}`}; expected ${expected}.`);
    this.name = 'InvalidFileError';
  }
}

/** JSON.parse that reports the file instead of "Unexpected token ... in JSON at position N". */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidFileError(file, 'its text', 'valid JSON', (e as Error).message);
  }
}

/** A short, printable description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}
