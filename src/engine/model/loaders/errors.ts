// Typed model-loading failures. Each message says what the user can do, because these reach
// the UI and the CLI verbatim; `kind` lets code branch without parsing messages.

export type LoaderErrorKind =
  | 'gated'
  | 'not-found'
  | 'network'
  | 'unreachable'
  | 'invalid-repo-id'
  | 'cancelled'
  | 'unsupported-architecture'
  | 'unsupported-dtype'
  | 'corrupt-file'
  | 'missing-file'
  | 'model-too-large';

export abstract class LoaderError extends Error {
  abstract readonly kind: LoaderErrorKind;
}

/** HTTP 401/403: a gated or private repository. */
export class GatedRepoError extends LoaderError {
  readonly kind = 'gated';
  constructor(readonly repo: string, readonly status: number, tokenGiven: boolean) {
    super(
      `${repo} refused access (HTTP ${status}): the repository is gated or private. ` +
        (tokenGiven
          ? `The access token you gave was not accepted for it: accept the model's license at https://huggingface.co/${repo} with the account that owns the token, and check the token has read access.`
          : `Accept the model's license at https://huggingface.co/${repo}, then give a Hugging Face access token (the token field, or HF_TOKEN for the CLI).`),
    );
    this.name = 'GatedRepoError';
  }
}

/** A Hub repository id of the wrong form, refused before any request (hubRepoId.ts says why). */
export class InvalidRepoIdError extends LoaderError {
  readonly kind = 'invalid-repo-id';
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidRepoIdError';
  }
}

/** HTTP 404: wrong repository id, revision or file name. */
export class NotFoundError extends LoaderError {
  readonly kind = 'not-found';
  constructor(readonly url: string, what: string) {
    super(`${what} was not found (HTTP 404 at ${url}). Check the repository id, the revision and the file name; for a private repository give an access token.`);
    this.name = 'NotFoundError';
  }
}

/**
 * Any other failed request, or a connection that broke mid-download. `keptBytes`: bytes of the
 * file stored in the cache so far, which the next load resumes from (said only when there are some).
 */
export class NetworkError extends LoaderError {
  readonly kind = 'network';
  constructor(readonly url: string, detail: string, readonly keptBytes = 0) {
    super(
      `Downloading ${url} failed: ${detail}. Check the connection and load again` +
        (keptBytes > 0 ? `; the ${keptBytes.toLocaleString('en-US')} bytes downloaded so far are kept and the download resumes from there.` : '.'),
    );
    this.name = 'NetworkError';
  }
}

/**
 * No answer at all: the request failed before any response (offline, DNS, refused, or blocked
 * by the browser). `site` names where: "the Hub", or the host of a model URL.
 */
export class UnreachableError extends LoaderError {
  readonly kind = 'unreachable';
  constructor(readonly url: string, readonly site: string) {
    super(`Cannot reach ${site} (offline?): no answer from ${hostOf(url)}. Check the connection and load again.`);
    this.name = 'UnreachableError';
  }
}

export class DownloadCancelledError extends LoaderError {
  readonly kind = 'cancelled';
  constructor(what: string) {
    super(`Loading ${what} was cancelled. Load it again to continue; finished and partial downloads are kept in the cache.`);
    this.name = 'DownloadCancelledError';
  }
}

export const SUPPORTED_ARCHITECTURES = ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM'] as const;

export class UnsupportedArchitectureError extends LoaderError {
  readonly kind = 'unsupported-architecture';
  constructor(readonly architecture: string) {
    super(
      `This model's architecture is ${architecture}; ZO Studio supports ${SUPPORTED_ARCHITECTURES.join(', ')}. ` +
        `Pick a Llama-family model, e.g. HuggingFaceTB/SmolLM2-135M or TinyLlama/TinyLlama-1.1B-Chat-v1.0.`,
    );
    this.name = 'UnsupportedArchitectureError';
  }
}

/** A tensor stored in a dtype or quantization type the loader cannot read. */
export class UnsupportedDtypeError extends LoaderError {
  readonly kind = 'unsupported-dtype';
  constructor(file: string, tensor: string, dtype: string, supported: readonly string[], hint: string) {
    super(`${file}: tensor ${tensor} is stored as ${dtype}, which ZO Studio cannot read (supported: ${supported.join(', ')}). ${hint}`);
    this.name = 'UnsupportedDtypeError';
  }
}

/** Truncated or damaged file: the bytes disagree with the header. */
export class CorruptFileError extends LoaderError {
  readonly kind = 'corrupt-file';
  constructor(readonly file: string, format: string, detail: string) {
    super(`${file} is not a valid ${format} file: ${detail}. Download it again (delete it from the model cache first); if it persists the file is damaged at its source.`);
    this.name = 'CorruptFileError';
  }
}

/** A file the model needs is not where it should be. */
export class MissingFileError extends LoaderError {
  readonly kind = 'missing-file';
  constructor(where: string, file: string, hint: string) {
    super(`${where} has no ${file}. ${hint}`);
    this.name = 'MissingFileError';
  }
}

export class ModelTooLargeError extends LoaderError {
  readonly kind = 'model-too-large';
  constructor(readonly neededBytes: number, readonly availableBytes: number, detail: string, advice: string) {
    super(`The model does not fit this GPU: ${detail}. ${advice}`);
    this.name = 'ModelTooLargeError';
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof DownloadCancelledError || (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError'));
}

/** The host of a URL for messages; the text itself when it is not an absolute URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
