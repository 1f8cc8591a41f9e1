// What a CLI user sees for bad model files (main(), in process): tensors the model does not use
// are a `warning:` line and the command still runs (and the loaded model's summary, which the app
// shows, carries the same warning); a missing LM head, a header length off by
// one and an adapter without lora_alpha stop with exit code 1 and a message naming the file and
// what is wrong.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIo } from '../helpers/captureIo';
import { testGpu } from '../helpers/gpu';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { loadModel } from '../../src/engine/session/loadedModel';
import { releaseModelWeights } from '../../src/engine/model/weights';
import { encodeSafetensors, writeModelMeta } from '../fixtures/safetensorsWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { DEMO_DATA, DEMO_MODEL } from '../helpers/paths';

describe('zo-studio with bad model files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zo-cli-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const model = tinyLlama(21);
  const folder = (name: string, tensors = model.tensors, damage?: (b: Uint8Array) => void) => {
    const d = join(dir, name);
    writeModelMeta(d, model.config);
    const bytes = encodeSafetensors(tensors, 'F32');
    damage?.(bytes);
    writeFileSync(join(d, 'model.safetensors'), bytes);
    return d;
  };

  it('warns about tensors the model does not use and still runs', async () => {
    const io = captureIo();
    const d = folder('extra', [...model.tensors, { name: 'model.layers.0.self_attn.q_proj.bias', shape: [64], data: new Float32Array(64) }]);
    expect(await main(['info', '--model', d], io), io.err.join('\n')).toBe(0);
    expect(io.err).toContain(`warning: ${d} safetensors has 1 tensor the model does not use: model.layers.0.self_attn.q_proj.bias`);
    // The app gets the same warning in the loaded model's summary (shown under the model panel).
    const ctx = await testGpu();
    const loaded = await loadModel(ctx, await resolveModelNode(d, { cache: null }), 'f32');
    releaseModelWeights(ctx, loaded.weights);
    expect(loaded.summary.warnings).toEqual([`${d} safetensors has 1 tensor the model does not use: model.layers.0.self_attn.q_proj.bias`]);
  });

  it('refuses an untied model without lm_head.weight, a shifted header and a bad adapter, exit code 1', async () => {
    const noHead = captureIo();
    expect(await main(['info', '--model', folder('nohead', model.tensors.filter((t) => t.name !== 'lm_head.weight'))], noHead)).toBe(1);
    expect(noHead.err.join('\n')).toMatch(/lm_head\.weight is missing; expected tensors the model needs \(.*config\.json says tie_word_embeddings is false/);

    const shifted = captureIo();
    const d = folder('shifted', model.tensors, (b) => new DataView(b.buffer).setBigUint64(0, new DataView(b.buffer).getBigUint64(0, true) + 1n, true));
    expect(await main(['info', '--model', d], shifted)).toBe(1);
    expect(shifted.err.join('\n')).toMatch(/model\.safetensors is not a valid safetensors file: the header/);

    const adapter = join(dir, 'adapter');
    mkdirSync(adapter);
    writeFileSync(join(adapter, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8, target_modules: ['q_proj', 'v_proj'] }));
    writeFileSync(join(adapter, 'adapter_model.safetensors'), new Uint8Array(0));
    const bad = captureIo();
    expect(await main(['eval', '--model', DEMO_MODEL, '--task', join(DEMO_DATA, 'wn-animal-plant'), '--limit', '4', '--adapter', adapter], bad)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/adapter_config\.json: lora_alpha is missing; expected a number/);
  });
});
