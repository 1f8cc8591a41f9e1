// The tokenizer: a thin wrapper over transformers.js' PreTrainedTokenizer, built from the
// contents of tokenizer.json and tokenizer_config.json held in memory (no network, no files),
// so the same code runs in a Web Worker and in Node.
import type { ChatMessage } from './task';

export interface EncodeOptions {
  /** Add the post-processor's special tokens (for Llama: a leading <s>). Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (<s>, </s>, <pad>) from the text. Default false. */
  skipSpecialTokens?: boolean;
}

export interface ChatTemplateOptions {
  /** End with the tokens that open the assistant's turn (if the template supports it). */
  addGenerationPrompt?: boolean;
}

export interface Tokenizer {
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** The text of each token on its own (for showing tokens; a byte-level piece of a
   *  multi-byte character shows as U+FFFD). */
  pieces(ids: readonly number[]): string[];
  /** null when the tokenizer has no such token. */
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** The pad token, or when there is none the eos token, or 0: with right padding and causal
   *  attention the pad id never changes a real position's result (ARCHITECTURE.md). */
  readonly padId: number;
  readonly hasPadToken: boolean;
  /** Tokens in the vocabulary, added tokens included. */
  readonly vocabSize: number;
  /** Whether encode(text) with special tokens starts with bosId. */
  readonly addsBos: boolean;
  /** Renders messages with the config's chat_template to text (encode it with
   *  addSpecialTokens: false, templates write their own <s>); null without a template. */
  readonly applyChatTemplate: ((messages: ChatMessage[], options?: ChatTemplateOptions) => string) | null;
}

/** The part of transformers.js' PreTrainedTokenizer this wrapper uses. */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  get_vocab(): Map<string, number>;
  bos_token_id?: number;
  eos_token_id?: number;
  pad_token_id?: number;
  chat_template: unknown;
  apply_chat_template(
    conversation: ChatMessage[],
    options: { tokenize: false; add_generation_prompt?: boolean; chat_template?: string | null },
  ): string;
}

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

const idOrNull = (id: unknown): number | null => (typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null);

/**
 * Builds a tokenizer from the parsed contents of tokenizer.json and tokenizer_config.json.
 * `chatTemplate` overrides the config's chat_template (e.g. from a chat_template.jinja file).
 * transformers.js is imported lazily so modules that only need the data types stay light.
 */
export async function tokenizerFromJson(
  tokenizerJson: object,
  tokenizerConfig: object,
  chatTemplate?: string,
): Promise<Tokenizer> {
  if (!tokenizerJson || typeof tokenizerJson !== 'object' || !('model' in tokenizerJson)) {
    throw new TokenizerError('tokenizer.json has no "model" section: is this a Hugging Face tokenizers file?');
  }
  const config: Record<string, unknown> = { ...(tokenizerConfig as Record<string, unknown>) };
  if (chatTemplate !== undefined) config.chat_template = chatTemplate;
  const { PreTrainedTokenizer } = await import('@huggingface/transformers');
  let hf: HfTokenizer;
  try {
    hf = new PreTrainedTokenizer(tokenizerJson, config) as unknown as HfTokenizer;
  } catch (e) {
    throw new TokenizerError(`could not build the tokenizer from tokenizer.json: ${(e as Error).message}`);
  }
  return wrap(hf);
}

function wrap(hf: HfTokenizer): Tokenizer {
  const bosId = idOrNull(hf.bos_token_id);
  const eosId = idOrNull(hf.eos_token_id);
  const pad = idOrNull(hf.pad_token_id);
  const encode = (text: string, options: EncodeOptions = {}): number[] =>
    hf.encode(text, { add_special_tokens: options.addSpecialTokens ?? true });
  const probe = encode('a');
  const hasTemplate = typeof hf.chat_template === 'string' || (Array.isArray(hf.chat_template) && hf.chat_template.length > 0);
  return {
    encode,
    decode: (ids, options = {}) => hf.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false }),
    pieces: (ids) => ids.map((id) => hf.decode([id], { skip_special_tokens: false })),
    bosId,
    eosId,
    padId: pad ?? eosId ?? 0,
    hasPadToken: pad !== null,
    vocabSize: hf.get_vocab().size,
    addsBos: bosId !== null && probe[0] === bosId,
    applyChatTemplate: hasTemplate
      ? (messages, options = {}) =>
          hf.apply_chat_template(messages, { tokenize: false, add_generation_prompt: options.addGenerationPrompt ?? false })
      : null,
  };
}
