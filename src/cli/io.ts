// Where the CLI writes and reads its environment; tests pass their own.

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return {
    stdout: (s) => process.stdout.write(s + '\n'),
    stderr: (s) => process.stderr.write(s + '\n'),
    env: process.env,
  };
}
