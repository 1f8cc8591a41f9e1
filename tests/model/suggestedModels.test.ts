// The suggested Hub models: parameter counts from their config shapes equal the counts the
// model cards publish (so the copied shape fields are right), sizes shrink with precision as
// the formats say, and the fit check follows the adapter's buffer limits. Exact integers.
import { describe, expect, it } from 'vitest';
import { SUGGESTED_MODELS, suggestionSizes } from '../../src/engine/model/suggestedModels';
import { hubRepoIdProblem } from '../../src/engine/model/loaders/hubRepoId';

const PUBLISHED_PARAMETERS: Record<string, number> = {
  'HuggingFaceTB/SmolLM2-135M': 134_515_008,
  'HuggingFaceTB/SmolLM2-360M': 361_821_120,
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0': 1_100_048_384,
  'meta-llama/Llama-3.2-1B': 1_235_814_400,
};
const GiB = 2 ** 30;
const roomy = { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 4 * GiB };

describe('suggested models', () => {
  it.each(SUGGESTED_MODELS.map((m) => [m.repo, m] as const))('%s: parameters from the config shapes match the model card', (repo, m) => {
    expect(hubRepoIdProblem(repo)).toBeNull();
    const sizes = suggestionSizes(m, roomy, 1, 128);
    expect(sizes.parameters).toBe(PUBLISHED_PARAMETERS[repo]);
    const p = sizes.byPrecision;
    expect(p.f32.weightsBytes).toBe(4 * sizes.parameters);
    expect(p.f16.weightsBytes).toBeLessThan(p.f32.weightsBytes);
    expect(p.q8.weightsBytes).toBeLessThan(p.f16.weightsBytes);
    expect(p.q4.weightsBytes).toBeLessThan(p.q8.weightsBytes);
    expect(Object.values(p).every((x) => x.fits)).toBe(true);
  });

  it('a 128 MiB buffer limit rules out the 1B models at f32 but not SmolLM2-135M at q4', () => {
    const small = { maxBufferSize: 128 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 };
    const byRepo = Object.fromEntries(SUGGESTED_MODELS.map((m) => [m.repo, suggestionSizes(m, small, 1, 128).byPrecision]));
    expect(byRepo['meta-llama/Llama-3.2-1B'].f32.fits).toBe(false);
    expect(byRepo['TinyLlama/TinyLlama-1.1B-Chat-v1.0'].f32.fits).toBe(false);
    expect(byRepo['HuggingFaceTB/SmolLM2-135M'].q4.fits).toBe(true);
  });
});
