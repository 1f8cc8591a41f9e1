// Unit, kernel and model tests run in Node on Dawn (the `webgpu` package). Without a GPU,
// Dawn finds SwiftShader's Vulkan driver from Debian's chromium (see tests/helpers/gpu.ts).
// Two projects: `suite` is what `npm test` runs (npm run test:unit); `experiments` holds the
// measured runs the README quotes (minutes each on SwiftShader; npm run test:experiments),
// kept out of `npm test` (its target: 8 minutes on two cores). Each experiment still
// asserts its result.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    // One GPU device per worker process. Two files at a time: measured on the 2-core machine with
    // nothing else running, one file at a time kept ~1 core busy (user+sys 8m40 over 8m57 wall
    // for npm test) and the suite took 379 s; two at a time, 296 s with the same 709 tests.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['tests/helpers/setup.ts'],
    globalSetup: ['tests/helpers/buildWasm.ts'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['tests/{unit,kernels,wasm,model,zo,loaders,rephrase,worker,engine,cli,generation,preference,influence,backends}/**/*.test.ts'] } },
      // Experiments one at a time: their timings are quoted, and each keeps the cores to itself.
      { extends: true, test: { name: 'experiments', include: ['tests/experiments/**/*.test.ts'], testTimeout: 1_800_000, fileParallelism: false, maxWorkers: 1 } },
    ],
  },
});
