// `--model path/to/file.gguf` with nothing beside the file: the CLI (its main(), in process)
// loads it with the tokenizer from the GGUF's metadata and says so, in `info` and on a load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIo } from '../helpers/captureIo';
import { byteLevelFixture, ggufWithTokenizer } from '../fixtures/tokenizerFixtures';

describe('zo-studio with a .gguf on its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zo-cli-gguf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tiny-llama3.F32.gguf');
  writeFileSync(file, ggufWithTokenizer(byteLevelFixture('llama-bpe')));

  it('info names the tokenizer source', async () => {
    const io = captureIo();
    expect(await main(['info', '--model', file], io), io.err.join('\n')).toBe(0);
    expect(io.out).toContain('tokenizer     GGUF metadata (byte-level BPE, pre-tokenizer llama-bpe)');
    const json = captureIo();
    expect(await main(['info', '--model', file, '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.at(-1)!).tokenizer).toBe('GGUF metadata (byte-level BPE, pre-tokenizer llama-bpe)');
  });

  it('generate loads it, tokenizes the prompt and says which tokenizer it used', async () => {
    const io = captureIo();
    expect(await main(['generate', '--model', file, 'Hello world 123', '--max-new-tokens', '3', '--temperature', '0', '--json'], io), io.err.join('\n')).toBe(0);
    expect(io.err).toContain('tokenizer: GGUF metadata (byte-level BPE, pre-tokenizer llama-bpe)');
    const result = JSON.parse(io.out.at(-1)!) as { prompts: string[]; texts: string[] };
    expect(result.prompts).toEqual(['Hello world 123']);
    expect(result.texts).toHaveLength(1);
  });
});
