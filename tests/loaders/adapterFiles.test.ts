// PEFT adapters and sparse deltas read back with every name, shape and count checked against
// the model; each bad file is an InvalidFileError naming the file and what is wrong. No GPU.
import { describe, expect, it } from 'vitest';
import { InvalidFileError } from '../../src/engine/files/invalidFile';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { writeSafetensors, type WritableTensor } from '../../src/engine/model/safetensorsWriter';
import { parsePeftConfig, readPeftAdapter, readSparseDeltas } from '../../src/engine/training/adapterFiles';
import { tinyLlama } from '../fixtures/tinyLlama';

const model = parseLlamaConfig(tinyLlama(2).config); // 2 layers, hidden 64, q 64x64, v 32x64
const peftJson = (o: Record<string, unknown> = {}) => JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['q_proj', 'v_proj'], bias: 'none', ...o });
const loraTensors = (targets = ['self_attn.q_proj', 'self_attn.v_proj'], r = 2): WritableTensor[] =>
  [0, 1].flatMap((layer) => targets.flatMap((t) => {
    const out = t.endsWith('v_proj') ? 32 : 64;
    const p = `base_model.model.model.layers.${layer}.${t}`;
    return [
      { name: `${p}.lora_A.weight`, dtype: 'F32' as const, shape: [r, 64], data: Float32Array.from({ length: r * 64 }, (_, i) => i / 100 + layer) },
      { name: `${p}.lora_B.weight`, dtype: 'F32' as const, shape: [out, r], data: Float32Array.from({ length: out * r }, (_, i) => -i / 50) },
    ];
  }));
const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('PEFT adapters', () => {
  it('reads a valid adapter: every matrix for every layer and target', () => {
    const cfg = parsePeftConfig(peftJson(), 'adapter_config.json');
    const ad = readPeftAdapter(cfg, writeSafetensors(loraTensors()), 'adapter_model.safetensors', model);
    expect(ad.targets).toEqual(['q', 'v']);
    expect(ad.matrices.size).toBe(4);
    expect(ad.matrices.get('1.v')!.b.length).toBe(64);
    expect(ad.matrices.get('1.q')!.a[0]).toBe(1);
    expect(parsePeftConfig(peftJson({ target_modules: 'all-linear' }), 'c').target_modules).toHaveLength(7);
  });

  const badConfigs: [string, string, RegExp][] = [
    ['missing lora_alpha', JSON.stringify({ r: 2, target_modules: ['q_proj'] }), /lora_alpha is missing; expected a number \(the adapter's scale is lora_alpha \/ r/],
    ['target_modules matching nothing', peftJson({ target_modules: ['c_attn'] }), /target_modules is "c_attn"; expected a list of projection names .*match no projection/],
    ['an empty target_modules', peftJson({ target_modules: [] }), /target_modules is an array of 0/],
    ['rsLoRA', peftJson({ use_rslora: true }), /use_rslora is true; expected false: rsLoRA scales by lora_alpha \/ sqrt\(r\)/],
    ['DoRA', peftJson({ use_dora: true }), /use_dora is true/],
    ['a non-integer rank', peftJson({ r: 1.5 }), /r is 1\.5; expected an integer/],
    ['not JSON', '{"r": 2,', /adapter_config\.json: its text is .*; expected valid JSON/],
    ['a JSON array', '[1]', /the file is an array of 1; expected an object/],
  ];
  for (const [what, text, message] of badConfigs) {
    it(`refuses ${what}`, () => {
      const err = errorOf(() => parsePeftConfig(text, 'adapter_config.json'));
      expect(err).toBeInstanceOf(InvalidFileError);
      expect(err.message).toMatch(message);
    });
  }

  it('refuses tensors that do not fit the config or the model, naming them', () => {
    const cfg = parsePeftConfig(peftJson(), 'c');
    const read = (t: WritableTensor[], c = cfg) => errorOf(() => readPeftAdapter(c, writeSafetensors(t), 'a.safetensors', model));
    // target_modules says q_proj, the file holds k_proj: the adapter would be silently unused.
    expect(read(loraTensors(['self_attn.k_proj']), parsePeftConfig(peftJson({ target_modules: ['q_proj'] }), 'c')).message)
      .toMatch(/a\.safetensors: its tensors is only base_model\.model\.model\.layers\.0\.self_attn\.k_proj\.lora_A\.weight/);
    expect(read(loraTensors().slice(1)).message).toMatch(/layers\.0\.self_attn\.q_proj\.lora_A\.weight is missing/);
    expect(read([...loraTensors(), { name: 'extra', dtype: 'F32', shape: [1], data: new Float32Array(1) }]).message).toMatch(/extra is present; expected no tensors beyond/);
    expect(read(loraTensors(undefined, 3)).message).toMatch(/lora_A\.weight is shape \[3,64\]; expected shape \[2,64\]/);
    const nan = loraTensors();
    nan[0].data[5] = NaN;
    expect(read(nan).message).toMatch(/lora_A\.weight\[5\] is NaN; expected a finite number/);
  });

  it('refuses data shorter than the declared shape (the header check)', () => {
    const bytes = writeSafetensors(loraTensors());
    const err = errorOf(() => readPeftAdapter(parsePeftConfig(peftJson(), 'c'), bytes.subarray(0, bytes.length - 8), 'a.safetensors', model));
    expect(err).toBeInstanceOf(InvalidFileError);
    expect(err.message).toMatch(/^a\.safetensors: tensor .* data_offsets is .*; expected offsets inside the/);
  });
});

describe('sparse deltas', () => {
  const q0 = 'model.layers.0.self_attn.q_proj.weight';
  const pair = (name: string, idx: number[], val: number[]): WritableTensor[] => [
    { name: `${name}.indices`, dtype: 'I32', shape: [idx.length], data: Int32Array.from(idx) },
    { name: `${name}.values`, dtype: 'F32', shape: [val.length], data: Float32Array.from(val) },
  ];
  const read = (t: WritableTensor[]) => readSparseDeltas(writeSafetensors(t), 'd.safetensors', model);

  it('reads indices and values sorted by index, values kept with their index', () => {
    const d = read([...pair(q0, [70, 3, 4095], [0.5, -1, 2]), ...pair('model.layers.1.mlp.down_proj.weight', [0], [1])]);
    expect([...d.get(q0)!.indices]).toEqual([3, 70, 4095]);
    expect([...d.get(q0)!.values]).toEqual([-1, 0.5, 2]);
    expect(d.size).toBe(2);
  });

  const bad: [string, WritableTensor[], RegExp][] = [
    ['missing values', pair(q0, [1, 2], [0, 0]).slice(0, 1), /weight\.values is missing; expected a tensor with one value per index/],
    ['fewer values than indices', pair(q0, [1, 2, 3], [0.5, 1]), /weight\.values is 2 values; expected 3 values, one per index/],
    ['duplicate indices', pair(q0, [7, 2, 7], [1, 2, 3]), /weight\.indices is index 7 twice; expected distinct indices/],
    ['an index outside the weight', pair(q0, [4096], [1]), /indices\[0\] is 4096; expected an index from 0 to 4095 \(the weight is 64x64\)/],
    ['a negative index', pair(q0, [-1], [1]), /indices\[0\] is -1; expected an index from 0 to 4095/],
    ['an unknown weight name', pair('model.layers.9.self_attn.q_proj.weight', [1], [1]), /layers\.9\.self_attn\.q_proj\.weight\.indices, .*values is present; expected only "<weight>\.indices"/],
    ['a non-finite value', pair(q0, [1], [Infinity]), /values\[0\] is Infinity; expected a finite number/],
    ['no tensors at all', [], /its tensors is none/],
  ];
  for (const [what, tensors, message] of bad) {
    it(`refuses ${what}, naming it`, () => {
      const err = errorOf(() => read(tensors));
      expect(err).toBeInstanceOf(InvalidFileError);
      expect(err.message).toMatch(message);
    });
  }
});
