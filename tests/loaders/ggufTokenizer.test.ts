// A .gguf's own tokenizer (tokenizer.ggml.*) rebuilt as tokenizer.json gives the same ids as the
// same model's tokenizer.json, for both kinds llama.cpp writes: SentencePiece BPE (`llama`, also
// checked against sentencepiece's own ids) and byte-level BPE (`gpt2`) under the Llama 3, SmolLM,
// Qwen2 and GPT-2 pre-tokenizers. Ids must be identical (no tolerance): with and without the
// special tokens the tokenizer adds, with special tokens written in the text, and the decoded
// text, bos/eos/pad and the chat template rendering too. Then a .gguf alone resolves (folder,
// path, one dropped file, a Hub repository) with that tokenizer; a tokenizer.json beside it is preferred.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizerFromJson, type Tokenizer } from '../../src/engine/data/tokenizer';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { GgufFormatError, readGgufHeader } from '../../src/engine/model/loaders/gguf/ggufFile';
import { MissingFileError } from '../../src/engine/model/loaders/errors';
import { droppedFiles } from '../../src/engine/model/loaders/modelFiles';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { nodeFolderCache } from '../../src/engine/model/loaders/nodeFolderCache';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';
import { tokenizerFromGguf } from '../../src/engine/model/loaders/gguf/ggufTokenizer';
import { encodeGguf, type Kv } from '../fixtures/ggufWriter';
import { startHubServer } from '../fixtures/hubServer';
import { byteLevelFixture, FIXTURE_TEXTS, ggufWithTokenizer, spmFixture, type TokenizerFixture } from '../fixtures/tokenizerFixtures';

/** The fixture's metadata written into a GGUF file and read back by the project's reader. */
async function ggufMetadata(kvs: Kv[]) {
  const bytes = encodeGguf([['general.architecture', 'str', 'llama'], ...kvs], []);
  return (await readGgufHeader(bytesSource('tok.gguf', bytes))).metadata;
}

async function bothTokenizers(f: TokenizerFixture): Promise<{ reference: Tokenizer; fromGguf: Tokenizer; description: string }> {
  const built = tokenizerFromGguf(await ggufMetadata(f.kvs), 'tok.gguf');
  return {
    reference: await tokenizerFromJson(f.tokenizerJson, f.tokenizerConfig),
    fromGguf: await tokenizerFromJson(built.tokenizerJson, built.tokenizerConfig),
    description: built.description,
  };
}

const messages = [
  { role: 'system' as const, content: 'You sort words.' },
  { role: 'user' as const, content: 'Is a llama  an animal? 42 👍' },
  { role: 'assistant' as const, content: 'Yes.' },
];

function expectSameTokenizer(reference: Tokenizer, fromGguf: Tokenizer, texts: string[]) {
  for (const text of texts) {
    const want = reference.encode(text);
    expect(fromGguf.encode(text), JSON.stringify(text)).toEqual(want);
    expect(fromGguf.encode(text, { addSpecialTokens: false }), JSON.stringify(text)).toEqual(reference.encode(text, { addSpecialTokens: false }));
    if (want.length === 0) continue;
    expect(fromGguf.decode(want)).toBe(reference.decode(want));
    expect(fromGguf.decode(want, { skipSpecialTokens: true })).toBe(reference.decode(want, { skipSpecialTokens: true }));
  }
  // Qwen2's tokenizer.json names no bos token while its GGUF names one it never adds (add_bos_token false).
  if (reference.bosId !== null) expect(fromGguf.bosId).toBe(reference.bosId);
  expect(fromGguf.eosId).toBe(reference.eosId);
  expect(fromGguf.padId).toBe(reference.padId);
  expect(fromGguf.addsBos).toBe(reference.addsBos);
  expect(fromGguf.applyChatTemplate === null).toBe(reference.applyChatTemplate === null);
  if (reference.applyChatTemplate) {
    const rendered = reference.applyChatTemplate(messages, { addGenerationPrompt: true });
    expect(fromGguf.applyChatTemplate!(messages, { addGenerationPrompt: true })).toBe(rendered);
    expect(fromGguf.encode(rendered, { addSpecialTokens: false })).toEqual(reference.encode(rendered, { addSpecialTokens: false }));
  }
}

describe('SentencePiece BPE from tokenizer.ggml.* (model "llama")', () => {
  const f = spmFixture();

  it('gives the ids of the model\'s tokenizer.json and of sentencepiece itself', async () => {
    const { reference, fromGguf, description } = await bothTokenizers(f);
    expect(description).toMatch(/GGUF metadata \(SentencePiece BPE/);
    // The merges rebuilt from the scores are transformers' SentencePieceExtractor's, in its order.
    const rebuilt = tokenizerFromGguf(await ggufMetadata(f.kvs), 'tok.gguf').tokenizerJson.model as { merges: string[][] };
    expect(rebuilt.merges).toEqual((f.tokenizerJson.model as { merges: string[][] }).merges);
    for (const g of f.goldens) {
      expect(reference.encode(g.text, { addSpecialTokens: false }), `tokenizer.json: ${JSON.stringify(g.text)}`).toEqual(g.ids);
      expect(fromGguf.encode(g.text, { addSpecialTokens: false }), `GGUF: ${JSON.stringify(g.text)}`).toEqual(g.ids);
    }
    // Byte fallback is exercised: some golden holds <0xNN> tokens.
    const tokens = f.kvs.find((kv) => kv[0] === 'tokenizer.ggml.tokens')![3] as string[];
    expect(f.goldens.some((g) => g.ids.some((id) => /^<0x[0-9A-F]{2}>$/.test(tokens[id])))).toBe(true);
    expectSameTokenizer(reference, fromGguf, [...FIXTURE_TEXTS, '<s>special</s> tokens <unk> inside', 'a</s>b']);
    expect(fromGguf.encode('Hello')[0]).toBe(1);
  });

  it('honours add_bos_token / add_eos_token and add_space_prefix', async () => {
    const kvs = f.kvs.filter((kv) => !/add_(bos|eos)_token/.test(kv[0]));
    const md = await ggufMetadata([...kvs, ['tokenizer.ggml.add_bos_token', 'bool', false], ['tokenizer.ggml.add_eos_token', 'bool', true]]);
    const built = tokenizerFromGguf(md, 'tok.gguf');
    const tok = await tokenizerFromJson(built.tokenizerJson, built.tokenizerConfig);
    const plain = tok.encode('The quick', { addSpecialTokens: false });
    expect(tok.encode('The quick')).toEqual([...plain, 2]);
    expect(tok.addsBos).toBe(false);

    const noPrefix = tokenizerFromGguf(await ggufMetadata([...f.kvs, ['tokenizer.ggml.add_space_prefix', 'bool', false]]), 'tok.gguf');
    const np = await tokenizerFromJson(noPrefix.tokenizerJson, noPrefix.tokenizerConfig);
    const pieces = np.pieces(np.encode('The quick', { addSpecialTokens: false }));
    expect(pieces.join('')).toBe('The quick');
    expect(np.encode('The quick', { addSpecialTokens: false })).not.toEqual(plain);
  });
});

describe.each(['llama-bpe', 'smollm', 'qwen2', 'gpt2'] as const)('byte-level BPE from tokenizer.ggml.* (model "gpt2", pre %s)', (pre) => {
  it('gives the ids of the model\'s tokenizer.json on the fixture texts', async () => {
    const f = byteLevelFixture(pre);
    const { reference, fromGguf, description } = await bothTokenizers(f);
    expect(description).toBe(`GGUF metadata (byte-level BPE, pre-tokenizer ${pre})`);
    const specials = (f.tokenizerJson.added_tokens as { content: string }[]).map((t) => t.content);
    const withSpecials = specials.map((s, i) => `${i % 2 ? ' ' : ''}${s}text ${s} 12345${s}\n`);
    expectSameTokenizer(reference, fromGguf, [...FIXTURE_TEXTS, ...withSpecials]);
    // Llama 3 takes a word that is a whole token as is (ignore_merges), even where no merges reach it.
    if (pre === 'llama-bpe') expect(fromGguf.encode(' naïve', { addSpecialTokens: false })).toEqual([4096]);
  });
});

describe('a byte-level GGUF with no tokenizer.ggml.pre (an old converter\'s)', () => {
  it('splits as llama.cpp\'s default regexes do: punctuation runs, then GPT-2\'s, then digit runs, then three digits', async () => {
    const gpt2 = byteLevelFixture('gpt2');
    const built = tokenizerFromGguf(await ggufMetadata(gpt2.kvs.filter((kv) => kv[0] !== 'tokenizer.ggml.pre')), 'tok.gguf');
    expect(built.description).toBe('GGUF metadata (byte-level BPE, pre-tokenizer missing: llama.cpp\'s default regexes)');
    const tok = await tokenizerFromJson(built.tokenizerJson, built.tokenizerConfig);
    const reference = await tokenizerFromJson(gpt2.tokenizerJson, gpt2.tokenizerConfig);
    const chunks = ['Hello', ',', ' world', ' ', '123', '45', '!!', ' it', "'", 's'];
    expect(tok.encode("Hello, world 12345!! it's", { addSpecialTokens: false })).toEqual(chunks.flatMap((c) => reference.encode(c, { addSpecialTokens: false })));
  });
});

describe('the pre-tokenizers differ on the fixture texts (so the cases above can fail)', () => {
  it('gives four different tokenizations for llama-bpe, smollm, qwen2 and gpt2', async () => {
    const seen = new Map<string, string>();
    for (const pre of ['llama-bpe', 'smollm', 'qwen2', 'gpt2'] as const) {
      const { reference } = await bothTokenizers(byteLevelFixture(pre));
      seen.set(JSON.stringify(FIXTURE_TEXTS.map((t) => reference.encode(t, { addSpecialTokens: false }))), pre);
    }
    expect(seen.size).toBe(4);
  });
});

describe('refusals and malformed metadata', () => {
  const spm = spmFixture().kvs;
  const without = (key: string) => spm.filter((kv) => kv[0] !== key);

  it('names what is missing and what to do', async () => {
    const cases: [Kv[], RegExp][] = [
      [without('tokenizer.ggml.tokens'), /no tokenizer\.ggml\.tokens.*tokenizer\.json/],
      [[...without('tokenizer.ggml.model'), ['tokenizer.ggml.model', 'str', 'bert']], /tokenizer\.ggml\.model is "bert".*"gpt2".*"llama".*tokenizer\.json/],
    ];
    for (const [kvs, message] of cases) {
      const err = await ggufMetadata(kvs).then((md) => tokenizerFromGguf(md, 'tok.gguf')).catch((e) => e);
      expect(err).toBeInstanceOf(MissingFileError);
      expect(err.message).toMatch(message);
    }
    const unknownPre = byteLevelFixture('gpt2').kvs.map((kv): Kv => (kv[0] === 'tokenizer.ggml.pre' ? [kv[0], 'str', 'tekken'] : kv));
    const err = await ggufMetadata(unknownPre).then((md) => tokenizerFromGguf(md, 'tok.gguf')).catch((e) => e);
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.message).toMatch(/tokenizer\.ggml\.pre is "tekken" \(known: llama-bpe/);
  });

  it('refuses metadata it cannot read as a tokenizer', async () => {
    const cases: [Kv[], RegExp][] = [
      [[...without('tokenizer.ggml.scores'), ['tokenizer.ggml.scores', 'arr', 'f32', [1, 2]]], /tokenizer\.ggml\.scores has 2 entries for 640 tokens/],
      [without('tokenizer.ggml.scores'), /needs tokenizer\.ggml\.scores/],
      [[...without('tokenizer.ggml.scores'), ['tokenizer.ggml.scores', 'arr', 'f32', new Array(640).fill(0)]], /same score/],
      [[...without('tokenizer.ggml.bos_token_id'), ['tokenizer.ggml.bos_token_id', 'str', 'one']], /bos_token_id should be a token id/],
      [byteLevelFixture('gpt2').kvs.filter((kv) => kv[0] !== 'tokenizer.ggml.merges'), /needs tokenizer\.ggml\.merges/],
    ];
    for (const [kvs, message] of cases) {
      const err = await ggufMetadata(kvs).then((md) => tokenizerFromGguf(md, 'tok.gguf')).catch((e) => e);
      expect(err, String(message)).toBeInstanceOf(GgufFormatError);
      expect(err.message).toMatch(message);
    }
  });
});

describe('a .gguf on its own', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'zo-gguf-tok-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const spm = spmFixture();
  const bytes = ggufWithTokenizer(spm);

  it('resolves from a folder, from a path and as one dropped file, with the tokenizer from its metadata', async () => {
    const dir = join(tmp, 'alone');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tiny.F32.gguf'), bytes);
    const reference = await tokenizerFromJson(spm.tokenizerJson, spm.tokenizerConfig);
    const dropped = droppedFiles('dropped files', [new File([bytes as Uint8Array<ArrayBuffer>], 'tiny.F32.gguf')]);
    for (const spec of [{ kind: 'files', files: nodeFolder(dir) }, { kind: 'files', files: nodeFolder(dir), gguf: 'tiny.F32.gguf' }, { kind: 'files', files: dropped, gguf: 'tiny.F32.gguf' }] as const) {
      const r = await resolveModel(spec);
      expect(r.format).toBe('gguf');
      expect(r.tokenizerSource).toBe('GGUF metadata (SentencePiece BPE with byte fallback)');
      expect(r.config.vocab_size).toBe(640);
      const tok = await tokenizerFromJson(r.tokenizerJson, r.tokenizerConfig ?? {});
      for (const text of FIXTURE_TEXTS) expect(tok.encode(text)).toEqual(reference.encode(text));
      expect(tok.applyChatTemplate).not.toBeNull();
      await r.reader.close?.();
    }
  });

  it('loads from a Hub repository that holds only the .gguf, through the cache and again from it', async () => {
    const dir = join(tmp, 'hub-repo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tiny.F32.gguf'), bytes);
    const server = await startHubServer({ 'zo/gguf-only': { dir } });
    try {
      const cache = nodeFolderCache(join(tmp, 'cache'));
      let requests = 0;
      for (const pass of ['download', 'cached']) {
        if (pass === 'cached') requests = server.requests.length;
        const r = await resolveModel({ kind: 'hub', repo: 'zo/gguf-only', file: 'tiny.F32.gguf' }, { endpoint: server.endpoint, cache });
        expect(r.tokenizerSource, pass).toBe('GGUF metadata (SentencePiece BPE with byte fallback)');
        const tok = await tokenizerFromJson(r.tokenizerJson, r.tokenizerConfig ?? {});
        expect(tok.encode('Hello world')).toEqual((await tokenizerFromJson(spm.tokenizerJson, spm.tokenizerConfig)).encode('Hello world'));
        await r.reader.close?.();
      }
      expect(server.requests.length, 'the second load asks the server nothing').toBe(requests);
    } finally {
      await server.close();
    }
  });

  it('prefers a tokenizer.json beside it, and says so', async () => {
    const dir = join(tmp, 'beside');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tiny.F32.gguf'), bytes);
    // A different tokenizer beside the file, so which one was used shows in the ids.
    const demo = byteLevelFixture('gpt2');
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(demo.tokenizerJson));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(demo.tokenizerConfig));
    const r = await resolveModel({ kind: 'files', files: nodeFolder(dir), gguf: 'tiny.F32.gguf' });
    expect(r.tokenizerSource).toBe('tokenizer.json beside tiny.F32.gguf (preferred over the GGUF\'s own tokenizer metadata)');
    const tok = await tokenizerFromJson(r.tokenizerJson, r.tokenizerConfig ?? {});
    const reference = await tokenizerFromJson(demo.tokenizerJson, demo.tokenizerConfig);
    expect(tok.encode('Hello world')).toEqual(reference.encode('Hello world'));
    await r.reader.close?.();
  });
});
