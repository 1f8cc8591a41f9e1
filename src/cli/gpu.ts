// The CLI's GPU: Dawn in Node, falling back to SwiftShader (and saying so) without a driver.
import { acquireNodeGpu } from '../engine/gpu/nodeProvider';
import type { GpuContext } from '../engine/gpu/context';
import type { CliIo } from './io';

export async function acquireCliGpu(io: CliIo): Promise<GpuContext> {
  const gpu = await acquireNodeGpu({ log: (s) => io.stderr(s) });
  return gpu.context;
}
