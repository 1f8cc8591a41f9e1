// The CLI's backend, from --backend auto|webgpu|cpu (default auto): WebGPU through Dawn in Node
// (falling back to SwiftShader, and saying so, without a driver), or the CPU backend when asked
// or when Dawn finds no adapter at all.
import { acquireNodeGpu } from '../engine/gpu/nodeProvider';
import type { Backend } from '../engine/gpu/backend';
import { chooseBackend, parseBackendChoice } from '../engine/backends/choose';
import { optionalString, UsageError, type ParsedArgs } from './args';
import type { CliIo } from './io';

export async function acquireCliBackend(io: CliIo, args: ParsedArgs): Promise<Backend> {
  let choice;
  try {
    choice = parseBackendChoice(optionalString(args, 'backend') ?? 'auto');
  } catch (e) {
    throw new UsageError(`--backend: ${(e as Error).message}`);
  }
  const chosen = await chooseBackend(choice, async () => (await acquireNodeGpu({ log: (s) => io.stderr(s) })).context);
  if (chosen.backend.kind === 'cpu') io.stderr(`Backend: CPU (${chosen.reason}).`);
  return chosen.backend;
}
