// The Python with PyTorch that the peers need (the ONNX twin's export, the PyTorch MeZO step).
// ZO_PYTHON names one; otherwise Debian's /usr/bin/python3 (python3-torch installs torch there,
// while a pyenv or venv python3 earlier on PATH often lacks it), then python3 on PATH.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TorchPython {
  python: string;
  torch: string;
  /** The BLAS library torch's process maps (libopenblas, or Debian's reference libblas). */
  blas: string;
}

// Loads torch, makes it run a matmul (so its BLAS library is mapped), then names that library.
const PROBE = [
  'import os, re, torch',
  'torch.ones(64, 64) @ torch.ones(64, 64)',
  'maps = open("/proc/self/maps").read() if os.path.exists("/proc/self/maps") else ""',
  'print(torch.__version__)',
  'print(" ".join(sorted(set(re.findall(r"\\S*lib(?:open)?blas\\S*", maps)))) or "unknown")',
].join('\n');

/** The first candidate that imports torch, or the reason none does. */
export async function findTorchPython(): Promise<TorchPython | { missing: string }> {
  const candidates = [process.env.ZO_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  const tried: string[] = [];
  for (const python of candidates) {
    try {
      const { stdout } = await run(python, ['-c', PROBE], { timeout: 60_000 });
      const [torch, blas] = stdout.trim().split('\n');
      return { python, torch, blas: blas.includes('openblas') ? 'OpenBLAS' : blas.includes('blas') ? `reference BLAS (${blas}); install libopenblas0-pthread for OpenBLAS` : blas };
    } catch (e) {
      tried.push(`${python}: ${((e as Error).message.split('\n').find((l) => /Error|not found|ENOENT/.test(l)) ?? 'failed').trim()}`);
    }
  }
  return { missing: `no Python with PyTorch (tried ${tried.join('; ')}). On Debian: apt-get install python3-torch libopenblas0-pthread, or set ZO_PYTHON` };
}

/** Runs a script that prints one JSON line; its stderr is passed on when it fails. */
export async function runJsonScript<T>(python: string, script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  try {
    const { stdout } = await run(python, [script, ...args], { timeout: 600_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } });
    const line = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as T;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${python} ${script} ${args.join(' ')} failed: ${(err.stderr || err.message).trim().split('\n').slice(-5).join('\n')}`);
  }
}
