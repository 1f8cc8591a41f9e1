// Typed errors for requests the engine cannot serve in its current state. Each carries a `kind`
// the worker protocol passes through (ErrorPayload.errorKind) so the app switches on the kind,
// never on the message; the message still says what to do, because it reaches the UI and the
// CLI verbatim.

export const ENGINE_STATE_ERRORS = [
  'busy', // a run is stepping: pause or stop it first
  'no-model', // no model is loaded
  'no-task', // no task is selected
  'no-run', // the request needs a run and there is none
  'not-current-run', // the run named is not the one the engine holds (resume it first)
  'task-unsuitable', // the task lacks what the request needs (a split, train rows, preference pairs)
  'unsupported-config', // the config asks for something this objective or mode cannot do
  'model-too-large', // the model does not fit this GPU at this precision
  'cancelled', // the caller cancelled the request (cancelInfluence)
  'no-vectors', // influence ranking needs vectors computed or imported first
  'vectors-mismatch', // influence vectors of other weights, model or task
] as const;

export type EngineStateErrorKind = (typeof ENGINE_STATE_ERRORS)[number];

export class EngineStateError extends Error {
  constructor(
    readonly kind: EngineStateErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineStateError';
  }
}
