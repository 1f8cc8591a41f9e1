// The `zo-studio` command as a user runs it (the built bundle, spawned): info, logits against
// one golden.json case (max abs logit error <= 1e-3, mean loss within 1e-4, as the engine's own test),
// train -> eval --run -> replay (bit-exact weights), LoRA train -> PEFT export -> eval --adapter;
// the training cases run on a tiny random model with the demo tokenizer (the mechanics, not the
// model, are under test), the golden case on the demo model.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA, DEMO_MODEL } from '../helpers/paths';
import { readSafetensorsBytes } from '../../src/engine/model/safetensorsWriter';
import { writeTinyDemoModel } from '../fixtures/tinyModel';
import { buildCli, golden, lastJson, zo } from '../helpers/cliProcess';

const MODEL = DEMO_MODEL;
const TASK = join(DEMO_DATA, 'wn-animal-plant');
describe('zo-studio CLI', () => {
  let dir: string;
  /** The tiny model's folder, inside the test's temp dir. */
  const TINY = () => join(dir, 'tiny-model');
  beforeAll(() => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'zo-cli-'));
    writeTinyDemoModel(TINY());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('info --json reports the demo model and the adapter', () => {
    const r = zo(['info', '--model', MODEL, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const info = lastJson(r.stdout);
    expect(info.parameters).toBe(3_934_656);
    expect(info.architecture).toBe('LlamaForCausalLM');
    expect((info.limits as { maxBufferSize: number }).maxBufferSize).toBeGreaterThan(0);
  });

  // One golden case end to end through the spawned CLI (the longest prompt); the in-process
  // tests/model/golden.test.ts checks every case against the same tolerances.
  const longest = golden.cases.reduce((a, c, i) => (c.input_ids.length > golden.cases[a].input_ids.length ? i : a), 0);
  it.each([[longest, golden.cases[longest]] as const])('logits --json reproduces golden case %i (the longest prompt)', (_i, c) => {
    const r = zo(['logits', '--model', MODEL, '--ids', c.input_ids.join(','), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = lastJson(r.stdout) as { logits: number[]; loss: number };
    expect(out.logits).toHaveLength(c.last_logits.length);
    expect(Math.max(...out.logits.map((v, j) => Math.abs(v - c.last_logits[j])))).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(out.loss - c.mean_loss)).toBeLessThanOrEqual(1e-4);
  });

  it('train -> eval --run -> replay reproduces the trained weights bit for bit', () => {
    const out = join(dir, 'full');
    const t = zo(['train', '--model', TINY(), '--task', TASK, '--steps', '3', '--batch', '2', '--lr', '1e-4', '--eval-limit', '8', '--seed', '5', '--out', out, '--json']);
    expect(t.status, t.stderr).toBe(0);
    const done = lastJson(t.stdout) as { accuracy: number; files: string[] };
    expect(done.files).toEqual(['run.zorec', 'config.json', 'model.safetensors']);
    const steps = t.stdout.split('\n').filter((l) => l.includes('"kind":"step"'));
    expect(steps).toHaveLength(3);

    const e = zo(['eval', '--model', TINY(), '--task', TASK, '--split', 'dev', '--limit', '8', '--run', join(out, 'run.zorec'), '--json']);
    expect(e.status, e.stderr).toBe(0);
    expect((lastJson(e.stdout) as { accuracy: number }).accuracy).toBe(done.accuracy);

    const r = zo(['replay', '--model', TINY(), '--task', TASK, '--run', join(out, 'run.zorec'), '--out', join(dir, 'replayed'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const trained = readFileSync(join(out, 'model.safetensors'));
    const replayed = readFileSync(join(dir, 'replayed', 'model.safetensors'));
    expect(Buffer.compare(trained, replayed)).toBe(0);
    const base = readSafetensorsBytes(new Uint8Array(readFileSync(join(TINY(), 'model.safetensors'))));
    const after = readSafetensorsBytes(new Uint8Array(trained));
    const name = 'model.layers.0.self_attn.q_proj.weight';
    expect(Array.from(after.get(name)!.data)).not.toEqual(Array.from(base.get(name)!.data));
  });

  it('LoRA over a q4 base exports a PEFT adapter that eval --adapter reads back', () => {
    const out = join(dir, 'lora');
    const t = zo(['train', '--model', TINY(), '--quant', 'q4', '--task', TASK, '--mode', 'lora', '--steps', '2', '--batch', '2', '--eval-limit', '8', '--out', out, '--json']);
    expect(t.status, t.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'config.json', 'run.zorec']);
    const cfg = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'] });
    const tensors = readSafetensorsBytes(new Uint8Array(readFileSync(join(out, 'adapter_model.safetensors'))));
    expect(tensors.size).toBe(2 * 2 * 2); // layers x {q, v} x {A, B}
    expect(tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!.shape).toEqual([8, 64]);
    expect(tensors.get('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight')!.shape).toEqual([32, 8]); // 2 KV heads x 16
    const done = lastJson(t.stdout) as { accuracy: number };
    const e = zo(['eval', '--model', TINY(), '--quant', 'q4', '--task', TASK, '--limit', '8', '--adapter', out, '--json']);
    expect(e.status, e.stderr).toBe(0);
    expect((lastJson(e.stdout) as { accuracy: number }).accuracy).toBe(done.accuracy);
  });

  it('explains a bad model path and a bad flag', () => {
    const r = zo(['logits', '--model', join(dir, 'nope'), '--ids', '1,2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not a folder, a \.gguf file, a URL or a Hub repo id/);
    const u = zo(['train', '--mode', 'everything', '--task', TASK, '--out', dir]);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--mode must be one of full, lora, sparse/);
  });
});
