// SensZOQ calibration (training/calibration.ts) through the backend's columnNorms kernel: the
// column norms of every linear's input over calibration text, on the CPU backend with the WASM
// kernels (1 and 2 threads) and on WebGPU, against the CPU backend's TypeScript reference kernels
// on the same q4 model. The forward passes differ only in summation order (and WebGPU's
// f32 math), so the norms agree to 1e-4 relative (+1e-5); every buffer the calibration made is freed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_MODEL } from '../helpers/paths';
import { expectAllclose } from '../helpers/allclose';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import { buildWeights } from '../../src/engine/model/weights';
import { calibrateColumnNorms } from '../../src/engine/training/calibration';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';
import type { Backend } from '../../src/engine/gpu/backend';
import { testGpu } from '../helpers/gpu';

const rawConfig = JSON.parse(readFileSync(join(DEMO_MODEL, 'config.json'), 'utf8'));
const config = parseLlamaConfig(rawConfig);
const SEQUENCES = [[1, 50, 300, 7, 2048, 9], [1, 4000, 12, 13]];

/** Bytes held outside the readback staging buffers (WebGPU keeps those for the next read). */
function held(backend: Backend): number {
  const s = backend.ledger.snapshot();
  return s.total - s.current.staging;
}

async function norms(backend: Backend): Promise<Map<string, Float32Array>> {
  const source = await nodeFolder(DEMO_MODEL).open('model.safetensors');
  const reader = await openSafetensors(rawConfig, [source!]);
  const weights = await buildWeights(backend, config, reader, 'q4');
  await reader.close?.();
  const before = held(backend);
  const out = await calibrateColumnNorms(backend, config, weights, SEQUENCES, ['q', 'down']);
  expect(held(backend), 'calibration frees what it made').toBe(before);
  return out;
}

describe('SensZOQ calibration on the CPU backend', () => {
  it('WASM kernels (1 and 2 threads) match the TypeScript kernels', async () => {
    const ts = await CpuBackend.create({ kernels: 'typescript' });
    const want = await norms(ts);
    expect(want.size).toBe(2 * config.layers);
    for (const threads of [1, 2]) {
      const cpu = await CpuBackend.create({ threads, spawn: nodePoolThread });
      const got = await norms(cpu);
      for (const [key, v] of want) expectAllclose(got.get(key)!, v, { atol: 1e-5, rtol: 1e-4 }, `${threads} thread(s) ${key}`);
      cpu.destroy();
    }
  });

  it('WebGPU gives the same norms through the same kernel factory', async () => {
    const want = await norms(await CpuBackend.create({ kernels: 'typescript' }));
    const got = await norms(await testGpu());
    for (const [key, v] of want) expectAllclose(got.get(key)!, v, { atol: 1e-5, rtol: 1e-4 }, `webgpu ${key}`);
  });
});
