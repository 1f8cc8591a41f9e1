// WebGPU in Node through Dawn (the `webgpu` npm package), for tests, benchmarks and the CLI.
// Without a GPU driver, Dawn can run on SwiftShader's Vulkan driver from Debian's chromium.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireGpu, type AcquireOptions, type GpuContext } from './context';
import { WebGpuUnavailableError } from './errors';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface NodeGpu {
  context: GpuContext;
  /** Set when no hardware driver answered and SwiftShader was used instead. */
  fellBackToSwiftShader: boolean;
}

export async function acquireNodeGpu(options: AcquireOptions & { log?: (s: string) => void } = {}): Promise<NodeGpu> {
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `zo-studio-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const webgpu = await loadDawn();
  Object.assign(globalThis, webgpu.globals);
  const first = await tryAcquire(webgpu, options);
  if (first) return { context: first, fellBackToSwiftShader: false };
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    // The Vulkan loader reads this when Dawn creates its instance, so a second create() sees it.
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const second = await tryAcquire(webgpu, options);
    if (second) {
      options.log?.('No GPU driver answered; running on SwiftShader (CPU emulation of Vulkan), which is slow.');
      return { context: second, fellBackToSwiftShader: true };
    }
  }
  throw new WebGpuUnavailableError(
    'Dawn found no adapter. Install a Vulkan driver for your GPU, or for CPU emulation install ' +
      "Debian's chromium (SwiftShader) and libvulkan1: apt-get install chromium libvulkan1",
  );
}

type Dawn = { create(flags: string[]): GPU; globals: object };

async function loadDawn(): Promise<Dawn> {
  try {
    return (await import('webgpu')) as unknown as Dawn;
  } catch (e) {
    throw new WebGpuUnavailableError(`the "webgpu" package (Dawn for Node) did not load: ${(e as Error).message}. Run npm install`);
  }
}

// Dawn tears its instance down when the GPU object is garbage-collected, even while a device
// from it is alive (seen as a futex abort mid-test), so every instance is kept for the process.
const liveInstances: GPU[] = [];

async function tryAcquire(webgpu: Dawn, options: AcquireOptions): Promise<GpuContext | null> {
  try {
    const gpu = webgpu.create([]);
    liveInstances.push(gpu);
    return await acquireGpu(gpu, options);
  } catch (e) {
    if (e instanceof WebGpuUnavailableError) return null;
    throw e;
  }
}
