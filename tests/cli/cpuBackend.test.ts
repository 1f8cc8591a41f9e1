// `zo-studio ... --backend cpu`, spawned as a user runs it: logits reproduce a golden.json case
// (max abs logit error <= 1e-3, mean loss within 1e-4), and train -> eval --run -> replay on the
// CPU backend (replay bit-exact on the backend that trained, as on WebGPU), on the tiny model.
// The same record replayed on WebGPU gives the CPU-trained weights to 1e-6 of each tensor's scale
// (z is the same Philox stream; only the float order differs: tests/backends/cpuMezo.test.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA, DEMO_MODEL } from '../helpers/paths';
import { readSafetensorsBytes } from '../../src/engine/model/safetensorsWriter';
import { writeTinyDemoModel } from '../fixtures/tinyModel';
import { buildCli, golden, lastJson, zo } from '../helpers/cliProcess';

const TASK = join(DEMO_DATA, 'wn-animal-plant');
describe('zo-studio --backend cpu', () => {
  let dir: string;
  const TINY = () => join(dir, 'tiny-model');
  beforeAll(() => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'zo-cli-cpu-'));
    writeTinyDemoModel(TINY());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('logits --backend cpu reproduces golden case 0 and says which backend ran', () => {
    const c = golden.cases[0];
    const r = zo(['logits', '--model', DEMO_MODEL, '--ids', c.input_ids.join(','), '--backend', 'cpu', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Backend: CPU/);
    const out = lastJson(r.stdout) as { logits: number[]; loss: number };
    expect(Math.max(...out.logits.map((v, j) => Math.abs(v - c.last_logits[j])))).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(out.loss - c.mean_loss)).toBeLessThanOrEqual(1e-4);
  });

  it('train -> eval --run -> replay on the CPU backend (bit for bit), and the record replays on WebGPU', () => {
    const out = join(dir, 'cpu-run');
    const t = zo(['train', '--backend', 'cpu', '--model', TINY(), '--task', TASK, '--steps', '3', '--batch', '2', '--lr', '1e-4', '--eval-limit', '8', '--seed', '5', '--out', out, '--json']);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout.split('\n').filter((l) => l.includes('"kind":"step"'))).toHaveLength(3);
    const done = lastJson(t.stdout) as { accuracy: number };

    const e = zo(['eval', '--backend', 'cpu', '--model', TINY(), '--task', TASK, '--split', 'dev', '--limit', '8', '--run', join(out, 'run.zorec'), '--json']);
    expect(e.status, e.stderr).toBe(0);
    expect((lastJson(e.stdout) as { accuracy: number }).accuracy).toBe(done.accuracy);

    const trained = readFileSync(join(out, 'model.safetensors'));
    const r = zo(['replay', '--backend', 'cpu', '--model', TINY(), '--task', TASK, '--run', join(out, 'run.zorec'), '--out', join(dir, 'replayed-cpu'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(trained, readFileSync(join(dir, 'replayed-cpu', 'model.safetensors')))).toBe(0);
    const base = readSafetensorsBytes(new Uint8Array(readFileSync(join(TINY(), 'model.safetensors'))));
    const want = readSafetensorsBytes(new Uint8Array(trained));
    const name = 'model.layers.0.self_attn.q_proj.weight';
    expect(Array.from(want.get(name)!.data)).not.toEqual(Array.from(base.get(name)!.data));

    const g = zo(['replay', '--backend', 'webgpu', '--model', TINY(), '--task', TASK, '--run', join(out, 'run.zorec'), '--out', join(dir, 'replayed-gpu'), '--json']);
    expect(g.status, g.stderr).toBe(0);
    const onGpu = readSafetensorsBytes(new Uint8Array(readFileSync(join(dir, 'replayed-gpu', 'model.safetensors'))));
    for (const [tensor, w] of want) {
      const a = w.data as Float32Array;
      const b = onGpu.get(tensor)!.data as Float32Array;
      const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      expect(worst, tensor).toBeLessThanOrEqual(1e-6 * scale);
    }
  });

  it('refuses an unknown backend, naming the choices', () => {
    const r = zo(['logits', '--model', DEMO_MODEL, '--ids', '1,2', '--backend', 'tpu']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--backend: backend "tpu" is not one of auto, webgpu, cpu/);
  });
});
