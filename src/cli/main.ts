// `zo-studio`: the engine from the command line, on Dawn in Node (a GPU when there is a
// driver, SwiftShader otherwise) or on the CPU backend (--backend cpu). Each subcommand lives in its own file under commands/.
import { UsageError } from './args';
import { infoCommand } from './commands/info';
import { logitsCommand } from './commands/logits';
import { trainCommand } from './commands/train';
import { TRAIN_USAGE } from './trainConfig';
import { evalCommand } from './commands/evaluate';
import { replayCommand } from './commands/replay';
import { rephraseCommand } from './rephrase';
import { generateCommand, GENERATE_USAGE } from './commands/generate';
import { PREFERENCE_USAGE } from './commands/preference';
import { LEARN_SCALES_USAGE, learnScalesCommand } from './commands/learnScales';
import { INFLUENCE_USAGE, influenceCommand } from './commands/influence';
import type { CliIo } from './io';
import { processIo } from './io';
import { releaseCliBackends } from './gpu';

const USAGE = `zo-studio <command> [options]

Commands:
  info    --model M                       config, parameter count, adapter and its limits
  logits  --model M --ids 1,2,3 [--json]  last-position logits and mean next-token loss
  eval    --model M --task DIR --split dev [--run FILE | --adapter PATH] [--limit N] [--json]
${TRAIN_USAGE}
          run.zorec is written as the run goes (fsync every --fsync-every 10 steps): a killed run
          continues with --resume DIR/run.zorec and the same flags
${LEARN_SCALES_USAGE}
${INFLUENCE_USAGE}
  replay  --model M --task DIR --run run.zorec --out DIR   rebuild trained weights from a record
  rephrase --task DIR --base-url URL --model NAME --out DIR   (see zo-studio rephrase --help)
${GENERATE_USAGE}

${PREFERENCE_USAGE}

Model options (every command that takes --model):
  --model M            a folder, a .gguf file, a URL, or a Hugging Face repo id (default: the demo model)
  --revision R         Hub revision (default main)   --hub-endpoint URL   another Hub server
  --quant f32|q8|q4    weight precision on the GPU (default f32); HF_TOKEN for gated repos. Below f32 a
                       GGUF's K-quant and Q4_1/Q5_0/Q5_1 tensors stay as the file stores them

Backend (every command that runs the model):
  --backend auto|webgpu|cpu   where the kernels run (default auto: WebGPU through Dawn, on
                              SwiftShader without a GPU driver; the CPU backend when Dawn finds no
                              adapter). cpu runs the same forward pass, ZO step and record on the CPU
  --threads N                 CPU backend threads (default: every core)

Task options (train, eval, replay): the task's row problems are printed with their lines;
  --long-rows skip|truncate   rows longer than the model's maximum sequence length are left out
                              (default) or have their prompt cut from the left`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  info: infoCommand,
  logits: logitsCommand,
  train: trainCommand,
  eval: evalCommand,
  replay: replayCommand,
  rephrase: (argv, io) => rephraseCommand(argv, io),
  generate: generateCommand,
  'learn-scales': learnScalesCommand,
  influence: influenceCommand,
};

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`zo-studio ${name}: ${(e as Error).message}`);
    if (io.env.ZO_DEBUG) io.stderr(String((e as Error).stack));
    return 1;
  } finally {
    releaseCliBackends(); // the CPU backend's pool threads end with the command
  }
}
