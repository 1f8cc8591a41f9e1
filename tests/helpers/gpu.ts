// One GpuContext per test file. Acquisition failure throws: CI must not skip GPU tests.
import { acquireNodeGpu } from '../../src/engine/gpu/nodeProvider';
import type { GpuContext } from '../../src/engine/gpu/context';

let shared: Promise<GpuContext> | null = null;

export function testGpu(): Promise<GpuContext> {
  shared ??= acquireNodeGpu().then((g) => g.context);
  return shared;
}
