// The CLI's backend, from --backend auto|webgpu|cpu (default auto): WebGPU through Dawn in Node
// (falling back to SwiftShader, and saying so, without a driver), or the CPU backend (WASM SIMD
// kernels on --threads N worker threads, default every core) when asked or when Dawn finds no
// adapter at all.
import { acquireNodeGpu } from '../engine/gpu/nodeProvider';
import type { Backend } from '../engine/gpu/backend';
import { chooseBackend, parseBackendChoice } from '../engine/backends/choose';
import { CpuBackend } from '../engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../engine/wasm/nodePoolThread';
import { availableParallelism } from 'node:os';
import { numberFlag, optionalString, UsageError, type ParsedArgs } from './args';
import type { CliIo } from './io';

export async function acquireCliBackend(io: CliIo, args: ParsedArgs): Promise<Backend> {
  let choice;
  try {
    choice = parseBackendChoice(optionalString(args, 'backend') ?? 'auto');
  } catch (e) {
    throw new UsageError(`--backend: ${(e as Error).message}`);
  }
  const threads = numberFlag(args, 'threads', availableParallelism());
  if (!(Number.isInteger(threads) && threads >= 1)) throw new UsageError(`--threads must be a whole number of at least 1, got ${threads}`);
  const chosen = await chooseBackend(choice, {
    webgpu: async () => (await acquireNodeGpu({ log: (s) => io.stderr(s) })).context,
    cpu: () => CpuBackend.create({ threads, spawn: nodePoolThread }),
  });
  if (chosen.backend.kind === 'cpu') {
    io.stderr(`Backend: ${chosen.backend.adapter.description} (${chosen.reason}).`);
    cpuBackends.push(chosen.backend);
  }
  return chosen.backend;
}

/** CPU backends made for the running command: their worker threads stop when it ends. */
const cpuBackends: Backend[] = [];

export function releaseCliBackends(): void {
  for (const b of cpuBackends.splice(0)) b.destroy();
}
