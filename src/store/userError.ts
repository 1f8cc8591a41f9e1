// What the UI shows for a failure: the error's kind (a typed engine error's, e.g.
// 'gpu-out-of-memory', 'busy', 'not-current-run') to switch on, and its message.

export interface UserError {
  kind: string;
  message: string;
}

/** Turns anything thrown into what the UI shows. */
export function userError(error: unknown): UserError {
  if (error instanceof Error) {
    const kind = (error as { kind?: unknown }).kind;
    return { kind: typeof kind === 'string' ? kind : error.name, message: error.message };
  }
  return { kind: 'internal', message: String(error) };
}
