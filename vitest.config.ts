// Unit, kernel and model tests run in Node on Dawn (the `webgpu` package). Without a GPU,
// Dawn finds SwiftShader's Vulkan driver from Debian's chromium package (see tests/helpers/gpu.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/{unit,kernels,model,zo,loaders,rephrase,worker,engine,cli,generation,preference}/**/*.test.ts'],
    environment: 'node',
    // One GPU device per worker; SwiftShader uses every core, so parallel files just fight.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['tests/helpers/setup.ts'],
  },
});
