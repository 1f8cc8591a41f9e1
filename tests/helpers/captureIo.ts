// A CliIo that keeps what a command writes, for tests that call the CLI's main() in process.
import type { CliIo } from '../../src/cli/io';

export function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {} };
}
