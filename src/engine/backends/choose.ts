// Which backend runs the kernels. 'auto': WebGPU when the platform gives an adapter, else the
// CPU backend, and the reason says so plainly (the app's header and the CLI's stderr show it).
// Platform-free: the caller says how to get a WebGPU device (navigator.gpu, Dawn in Node).
import { BACKEND_CHOICES, type BackendChoice } from '../config/options';
import type { Backend } from '../gpu/backend';
import { WebGpuUnavailableError } from '../gpu/errors';
import { CpuBackend } from './cpu/cpuBackend';

export interface ChosenBackend {
  backend: Backend;
  /** Why this one, in a sentence a user reads ('no WebGPU adapter: ...'). */
  reason: string;
}

export interface BackendMakers {
  /** A WebGPU device, or WebGpuUnavailableError. */
  webgpu: () => Promise<Backend>;
  /** The CPU backend (default: the WASM kernels on one thread; the CLI and the app add threads). */
  cpu?: () => Promise<Backend>;
}

export async function chooseBackend(choice: BackendChoice, make: BackendMakers): Promise<ChosenBackend> {
  const cpu = make.cpu ?? (() => CpuBackend.create());
  if (choice === 'cpu') return { backend: await cpu(), reason: 'the CPU backend was chosen' };
  if (choice === 'webgpu') return { backend: await make.webgpu(), reason: 'WebGPU was chosen' };
  try {
    return { backend: await make.webgpu(), reason: 'a WebGPU adapter is available' };
  } catch (e) {
    if (!(e instanceof WebGpuUnavailableError)) throw e;
    return { backend: await cpu(), reason: 'no WebGPU adapter was found, so the kernels run on the CPU' };
  }
}

/** The backend choice named by a user (CLI flag, saved setting), or a message listing the choices. */
export function parseBackendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) throw new Error(`backend "${value}" is not one of ${BACKEND_CHOICES.join(', ')}`);
  return value as BackendChoice;
}
