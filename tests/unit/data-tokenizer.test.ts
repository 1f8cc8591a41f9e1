// Tokenizer wrapper on the demo model's tokenizer: ids must equal the Python tokenizer's
// exactly (the golden ids in public/demo-model), decoding must round-trip.
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { tokenizerFromJson, TokenizerError } from '../../src/engine/data/tokenizer';
import { DEMO_MODEL, demoTokenizer, readJson } from '../fixtures/data-demo';

describe('tokenizer (demo model)', () => {
  it('encodes the README example with a leading <s>', async () => {
    const tok = await demoTokenizer();
    expect(tok.encode('a member of the genus Canis\nThis is a kind of animal')).toEqual([
      1, 100, 1372, 264, 289, 434, 2572, 265, 13, 2408, 279, 259, 294, 264, 449,
    ]);
    expect(tok.encode(' animal', { addSpecialTokens: false })).toEqual([449]);
    expect(tok.addsBos).toBe(true);
  });

  it('reports special ids, vocabulary size and no chat template', async () => {
    const tok = await demoTokenizer();
    expect([tok.bosId, tok.eosId, tok.padId, tok.hasPadToken]).toEqual([1, 2, 0, true]);
    expect(tok.vocabSize).toBe(4096);
    expect(tok.applyChatTemplate).toBeNull();
  });

  it('matches golden.json input_ids for every prompt and round-trips', async () => {
    const tok = await demoTokenizer();
    const golden = readJson(resolve(DEMO_MODEL, 'golden.json')) as unknown as { cases: { prompt: string; input_ids: number[] }[] };
    expect(golden.cases.length).toBe(8);
    for (const c of golden.cases) {
      expect(tok.encode(c.prompt)).toEqual(c.input_ids);
      expect(tok.decode(c.input_ids, { skipSpecialTokens: true })).toBe(c.prompt);
      expect(tok.decode(c.input_ids)).toBe(`<s>${c.prompt}`);
    }
  });

  it('gives the text of each token', async () => {
    const tok = await demoTokenizer();
    expect(tok.pieces([1, 100, 449])).toEqual(['<s>', 'a', ' animal']);
  });

  it('label words of the demo tasks are the single tokens the README lists', async () => {
    const tok = await demoTokenizer();
    const words: [string, number][] = [[' animal', 449], [' plant', 417], [' food', 664], [' object', 789], [' yes', 4032]];
    for (const [w, id] of words) expect(tok.encode(w, { addSpecialTokens: false })).toEqual([id]);
  });

  it('applies a chat template from the config when there is one', async () => {
    const config = {
      ...readJson(resolve(DEMO_MODEL, 'tokenizer_config.json')),
      chat_template:
        "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
    };
    const tok = await tokenizerFromJson(readJson(resolve(DEMO_MODEL, 'tokenizer.json')), config);
    const text = tok.applyChatTemplate?.([{ role: 'user', content: 'Define "oak":' }], { addGenerationPrompt: true });
    expect(text).toBe('<s>[user] Define "oak":\n[assistant]');
    expect(tok.encode(text ?? '', { addSpecialTokens: false })[0]).toBe(1);
  });

  it('rejects something that is not a tokenizer.json', async () => {
    await expect(tokenizerFromJson({ hello: 1 }, {})).rejects.toBeInstanceOf(TokenizerError);
  });
});
