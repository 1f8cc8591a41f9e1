// Compute pipelines keyed by (shader, entry point, override constants). Builds in flight
// are shared, and compile errors surface as ShaderCompileError with line numbers.
import { ShaderCompileError } from './errors';

export type OverrideConstants = Record<string, number>;

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly checked = new Map<string, Promise<void>>();

  constructor(private readonly device: GPUDevice) {}

  /** Synchronous get-or-create; kernel construction happens at load time, never per step. */
  get(name: string, code: string, entryPoint = 'main', constants: OverrideConstants = {}): GPUComputePipeline {
    const key = `${name}|${entryPoint}|${stableConstants(constants)}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const module = this.module(name, code);
    const pipeline = this.device.createComputePipeline({
      label: `${name}:${entryPoint}`,
      layout: 'auto',
      compute: { module, entryPoint, constants },
    });
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Resolves when every module built so far compiled; rejects with the WGSL messages otherwise. */
  async checkCompiled(): Promise<void> {
    await Promise.all(this.checked.values());
  }

  get size(): number {
    return this.pipelines.size;
  }

  private module(name: string, code: string): GPUShaderModule {
    const key = `${name}\u0000${code.length}\u0000${hashString(code)}`;
    let module = this.modules.get(key);
    if (module) return module;
    module = this.device.createShaderModule({ label: name, code });
    this.modules.set(key, module);
    this.checked.set(key, compileCheck(name, module));
    return module;
  }
}

async function compileCheck(name: string, module: GPUShaderModule): Promise<void> {
  if (!('getCompilationInfo' in module)) return;
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    throw new ShaderCompileError(name, errors.map((m) => `  ${m.lineNum}:${m.linePos} ${m.message}`).join('\n'));
  }
}

function stableConstants(c: OverrideConstants): string {
  return Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join(',');
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
