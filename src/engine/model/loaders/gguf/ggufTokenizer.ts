// The tokenizer a .gguf carries in its `tokenizer.ggml.*` metadata, rebuilt as the Hugging Face
// tokenizer.json (+ tokenizer_config.json) of the same model, so the one tokenizer path
// (data/tokenizer.ts, transformers.js) serves both. Two kinds, as llama.cpp reads them
// (src/llama-vocab.cpp) and as convert_hf_to_gguf.py writes them:
// - `gpt2`: byte-level BPE. Tokens are the byte-level strings of tokenizer.json's vocab, merges
//   are "left right" strings; `tokenizer.ggml.pre` names the pre-tokenizer (the regexes of
//   llama-vocab.cpp, spelled as the Split/Digits/ByteLevel steps the real tokenizer.json uses).
// - `llama`: SentencePiece BPE. Tokens with scores and types (NORMAL, CONTROL, BYTE <0xNN>,
//   ...), spaces as ▁, a dummy prefix. The merges are rebuilt from the scores the way
//   transformers' SentencePieceExtractor does (every split of a piece into two vocabulary
//   pieces, ranked by the piece's score), which is also SentencePiece's own encoding rule.
import { MissingFileError } from '../errors';
import { GgufFormatError, type GgufValue } from './ggufFile';

type Json = Record<string, unknown>;

export interface GgufTokenizer {
  tokenizerJson: Json;
  tokenizerConfig: Json;
  /** In words, for the model summary: "GGUF metadata (byte-level BPE, pre llama-bpe)". */
  description: string;
}

/** gguf-py TokenType. */
const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** llama-vocab.cpp LLAMA_VOCAB_PRE_TYPE_LLAMA3, its case-insensitive contractions spelled out. */
const LLAMA3_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** LLAMA_VOCAB_PRE_TYPE_QWEN2: as Llama 3 but one digit at a time. */
const QWEN2_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** GPT-2's regex (what ByteLevel with use_regex applies). */
const GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
/** LLAMA_VOCAB_PRE_TYPE_DEFAULT: what llama.cpp applies to a BPE file with no or "default" pre. */
const DEFAULT_REGEXES = ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2_REGEX, '\\p{N}+', '[0-9][0-9][0-9]'];

const split = (regex: string) => ({ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false });
const byteLevel = (useRegex: boolean) => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: useRegex });

interface PreTokenization {
  preTokenizer: Json;
  normalizer: Json | null;
  /** llama.cpp: ignore_merges (a word that is a whole token is taken as is: Llama 3). */
  ignoreMerges: boolean;
  /** llama.cpp's default add_bos for this pre type when the file does not say. */
  addBos: boolean;
  /** llama.cpp's clean_spaces: the decode-time clean-up of spaces before punctuation. */
  cleanSpaces: boolean;
}

/** The pre-tokenizer of each `tokenizer.ggml.pre` llama.cpp knows for Llama-family vocabularies. */
function preTokenization(pre: string | undefined): PreTokenization | null {
  const seq = (...steps: Json[]): Json => ({ type: 'Sequence', pretokenizers: steps });
  const base = { normalizer: null, ignoreMerges: false, addBos: false, cleanSpaces: true };
  switch (pre) {
    case 'llama3': case 'llama-v3': case 'llama-bpe': case 'falcon3':
      return { ...base, preTokenizer: seq(split(LLAMA3_REGEX), byteLevel(false)), ignoreMerges: true, addBos: true };
    case 'dbrx': case 'smaug-bpe':
      return { ...base, preTokenizer: seq(split(LLAMA3_REGEX), byteLevel(false)) };
    case 'qwen2': case 'stablelm2': case 'megrez':
      // Qwen2's tokenizer.json also NFC-normalizes; llama.cpp does not, the tokenizer.json rules.
      return { ...base, preTokenizer: seq(split(QWEN2_REGEX), byteLevel(false)), normalizer: { type: 'NFC' }, cleanSpaces: pre !== 'qwen2' };
    case 'smollm': case 'starcoder': case 'refact': case 'command-r': case 'codeshell': case 'exaone': case 'minerva-7b':
      return { ...base, preTokenizer: seq({ type: 'Digits', individual_digits: true }, byteLevel(true)), cleanSpaces: !['smollm', 'command-r'].includes(pre) };
    case 'gpt2': case 'gpt-2': case 'phi-2': case 'roberta-bpe': case 'mpt': case 'olmo': case 'jais':
      return { ...base, preTokenizer: byteLevel(true) };
    case undefined: case 'default':
      return { ...base, preTokenizer: seq(...DEFAULT_REGEXES.map(split), byteLevel(false)) };
    default:
      return null;
  }
}

const KNOWN_PRE = ['llama-bpe (llama3, llama-v3, falcon3)', 'smollm', 'qwen2', 'gpt2', 'default', 'dbrx', 'smaug-bpe', 'stablelm2', 'starcoder', 'refact', 'command-r', 'olmo', 'mpt'];

class Metadata {
  constructor(private readonly md: ReadonlyMap<string, GgufValue>, readonly file: string) {}

  string(key: string): string | undefined {
    const v = this.md.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new GgufFormatError(this.file, `metadata ${key} should be a string`);
    return v;
  }

  id(key: string, vocab: number): number | undefined {
    const raw = this.md.get(key);
    if (raw === undefined) return undefined;
    const v = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new GgufFormatError(this.file, `metadata ${key} should be a token id`);
    // llama.cpp warns and keeps its default for an id past the vocabulary; a missing token is the honest equivalent.
    return v < vocab ? v : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.md.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new GgufFormatError(this.file, `metadata ${key} should be a boolean`);
    return v;
  }

  array<T extends GgufValue>(key: string, ok: (v: GgufValue) => v is T, what: string, length?: number): T[] | undefined {
    const v = this.md.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every(ok)) throw new GgufFormatError(this.file, `metadata ${key} should be an array of ${what}`);
    if (length !== undefined && v.length !== length) throw new GgufFormatError(this.file, `metadata ${key} has ${v.length} entries for ${length} tokens`);
    return v as T[];
  }
}

const isString = (v: GgufValue): v is string => typeof v === 'string';
const isNumber = (v: GgufValue): v is number => typeof v === 'number';

/** Whether the metadata carries a tokenizer at all (tokenizer.ggml.tokens). */
export function ggufHasTokenizer(metadata: ReadonlyMap<string, GgufValue>): boolean {
  return metadata.has('tokenizer.ggml.tokens');
}

/**
 * The tokenizer.json and tokenizer_config.json objects equivalent to the GGUF's tokenizer.
 * Throws MissingFileError (naming tokenizer.json as the way out) for a tokenizer kind the
 * engine cannot rebuild, GgufFormatError for malformed metadata.
 */
export function tokenizerFromGguf(metadata: ReadonlyMap<string, GgufValue>, file: string): GgufTokenizer {
  const md = new Metadata(metadata, file);
  const model = md.string('tokenizer.ggml.model');
  const remedy = 'Put the original model\'s tokenizer.json and tokenizer_config.json (from its Hugging Face repository) next to the .gguf file.';
  const tokens = md.array('tokenizer.ggml.tokens', isString, 'strings');
  if (!tokens) throw new MissingFileError(file, 'tokenizer (no tokenizer.ggml.tokens metadata)', remedy);
  if (model !== 'gpt2' && model !== 'llama') {
    throw new MissingFileError(file, `tokenizer ZO Studio can rebuild: its tokenizer.ggml.model is ${JSON.stringify(model)}, and only "gpt2" (byte-level BPE) and "llama" (SentencePiece BPE) are converted`, remedy);
  }
  const n = tokens.length;
  const types = md.array('tokenizer.ggml.token_type', isNumber, 'token types', n);
  const type = (id: number) => types?.[id] ?? TokenType.NORMAL;
  const ids = {
    bos: md.id('tokenizer.ggml.bos_token_id', n),
    eos: md.id('tokenizer.ggml.eos_token_id', n),
    unk: md.id('tokenizer.ggml.unknown_token_id', n),
    pad: md.id('tokenizer.ggml.padding_token_id', n),
  };
  if (model === 'llama') {
    // llama.cpp's SPM defaults when the file names none.
    ids.bos ??= n > 1 ? 1 : undefined;
    ids.eos ??= n > 2 ? 2 : undefined;
    ids.unk ??= 0;
  }
  const specialIds = new Set<number>();
  for (let id = 0; id < n; id++) if (type(id) === TokenType.CONTROL || type(id) === TokenType.UNKNOWN) specialIds.add(id);
  // Without token types, the named special tokens are the only ones known to be special.
  for (const id of Object.values(ids)) if (id !== undefined && (!types || (type(id) !== TokenType.NORMAL && type(id) !== TokenType.BYTE))) specialIds.add(id);

  const vocab: Record<string, number> = Object.create(null);
  for (let id = 0; id < n; id++) if (!(tokens[id] in vocab)) vocab[tokens[id]] = id;

  const addedTokens: Json[] = [];
  for (let id = 0; id < n; id++) {
    const special = specialIds.has(id);
    if (special || type(id) === TokenType.USER_DEFINED) {
      addedTokens.push({ id, content: tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special });
    }
  }

  const layout = model === 'gpt2' ? byteLevelLayout(md, vocab, remedy) : sentencePieceLayout(md, tokens, vocab, type, ids.unk);
  const addBos = md.bool('tokenizer.ggml.add_bos_token') ?? layout.addBos;
  const addEos = md.bool('tokenizer.ggml.add_eos_token') ?? false;
  const bos = addBos && ids.bos !== undefined ? tokens[ids.bos] : null;
  const eos = addEos && ids.eos !== undefined ? tokens[ids.eos] : null;
  const template = templateProcessing(bos, eos, ids);
  const byteLevelPost = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  const postProcessor = model === 'gpt2' ? (template ? { type: 'Sequence', processors: [byteLevelPost, template] } : byteLevelPost) : template;

  const tokenizerJson: Json = {
    version: '1.0', truncation: null, padding: null, added_tokens: addedTokens,
    normalizer: layout.normalizer, pre_tokenizer: layout.preTokenizer,
    post_processor: postProcessor, decoder: layout.decoder, model: layout.model,
  };
  const name = (id: number | undefined) => (id !== undefined ? tokens[id] : null);
  const tokenizerConfig: Json = {
    add_bos_token: addBos, add_eos_token: addEos,
    bos_token: name(ids.bos), eos_token: name(ids.eos), unk_token: name(ids.unk),
    ...(ids.pad !== undefined ? { pad_token: name(ids.pad) } : {}),
    clean_up_tokenization_spaces: layout.cleanSpaces,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
  const chatTemplate = md.string('tokenizer.chat_template');
  if (chatTemplate !== undefined) tokenizerConfig.chat_template = chatTemplate;
  return { tokenizerJson, tokenizerConfig, description: layout.description };
}

/** The parts of tokenizer.json that differ between the two kinds, and llama.cpp's defaults. */
interface Layout {
  normalizer: Json | null;
  preTokenizer: Json | null;
  model: Json;
  decoder: Json;
  addBos: boolean;
  cleanSpaces: boolean;
  description: string;
}

function byteLevelLayout(md: Metadata, vocab: Record<string, number>, remedy: string): Layout {
  const pre = md.string('tokenizer.ggml.pre');
  const kind = preTokenization(pre);
  if (!kind) throw new MissingFileError(md.file, `pre-tokenizer ZO Studio knows: its tokenizer.ggml.pre is "${pre}" (known: ${KNOWN_PRE.join(', ')})`, remedy);
  const merges = md.array('tokenizer.ggml.merges', isString, 'strings');
  if (!merges) throw new GgufFormatError(md.file, 'a gpt2 (byte-level BPE) tokenizer needs tokenizer.ggml.merges, and it is missing');
  return {
    normalizer: kind.normalizer,
    preTokenizer: kind.preTokenizer,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: kind.ignoreMerges, vocab,
      // llama.cpp splits at the first space after the first character: a merge's left side may be a space.
      merges: merges.map((m) => {
        const at = m.indexOf(' ', 1);
        return at < 0 ? [m, ''] : [m.slice(0, at), m.slice(at + 1)];
      }),
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    addBos: kind.addBos,
    cleanSpaces: kind.cleanSpaces,
    description: `GGUF metadata (byte-level BPE, pre-tokenizer ${pre ?? 'missing: llama.cpp\'s default regexes'})`,
  };
}

/** Llama 2's tokenizer.json (legacy): ▁ for spaces and a dummy prefix in the normalizer, no pre-tokenizer. */
function sentencePieceLayout(md: Metadata, tokens: string[], vocab: Record<string, number>, type: (id: number) => number, unk: number | undefined): Layout {
  const scores = md.array('tokenizer.ggml.scores', isNumber, 'numbers', tokens.length);
  const merges = md.array('tokenizer.ggml.merges', isString, 'strings');
  if (!scores && !merges) throw new GgufFormatError(md.file, 'a llama (SentencePiece) tokenizer needs tokenizer.ggml.scores, and it is missing');
  const addPrefix = md.bool('tokenizer.ggml.add_space_prefix') ?? true;
  const replaceSpaces = { type: 'Replace', pattern: { String: ' ' }, content: '▁' };
  return {
    normalizer: addPrefix ? { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, replaceSpaces] } : replaceSpaces,
    preTokenizer: null,
    model: {
      type: 'BPE', dropout: null, unk_token: unk !== undefined ? tokens[unk] : null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab,
      merges: merges ? merges.map((m) => m.split(' ', 2)) : mergesFromScores(tokens, scores!, type, md.file),
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        ...(addPrefix ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
      ],
    },
    addBos: true,
    cleanSpaces: false,
    description: 'GGUF metadata (SentencePiece BPE with byte fallback)',
  };
}

function templateProcessing(bos: string | null, eos: string | null, ids: { bos?: number; eos?: number }): Json | null {
  if (bos === null && eos === null) return null;
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const wrap = (id: 'A' | 'B', typeId: number) => [
    ...(bos !== null ? [special(bos, typeId)] : []),
    sequence(id, typeId),
    ...(eos !== null ? [special(eos, typeId)] : []),
  ];
  const specialTokens: Json = {};
  if (bos !== null) specialTokens[bos] = { id: bos, ids: [ids.bos], tokens: [bos] };
  if (eos !== null) specialTokens[eos] = { id: eos, ids: [ids.eos], tokens: [eos] };
  return { type: 'TemplateProcessing', single: wrap('A', 0), pair: [...wrap('A', 0), ...wrap('B', 1)], special_tokens: specialTokens };
}

/**
 * SentencePiece BPE merges from piece scores (transformers' SentencePieceExtractor): every way
 * to write a normal piece as two vocabulary pieces is a merge, ranked by the piece's score
 * (higher first), ties by the piece's id, then by the halves' ids. Splits are by code point.
 */
function mergesFromScores(tokens: string[], scores: number[], type: (id: number) => number, file: string): [string, string][] {
  const mergeable = new Map<string, number>();
  for (let id = 0; id < tokens.length; id++) {
    const t = type(id);
    if ((t === TokenType.NORMAL || t === TokenType.USER_DEFINED) && !mergeable.has(tokens[id])) mergeable.set(tokens[id], id);
  }
  if (new Set(scores).size <= 1 && tokens.length > 1) {
    throw new GgufFormatError(file, 'its SentencePiece tokenizer has no merges and every token has the same score, so the merge order is unknown');
  }
  const found: { left: string; right: string; score: number; id: number; l: number; r: number }[] = [];
  for (const [piece, id] of mergeable) {
    if (type(id) !== TokenType.NORMAL) continue;
    const chars = Array.from(piece);
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join('');
      const right = chars.slice(i).join('');
      const l = mergeable.get(left);
      const r = mergeable.get(right);
      if (l !== undefined && r !== undefined) found.push({ left, right, score: scores[id], id, l, r });
    }
  }
  found.sort((a, b) => b.score - a.score || a.id - b.id || a.l - b.l || a.r - b.r);
  return found.map((m) => [m.left, m.right]);
}
