// `zo-studio rephrase`: OAT-Rephrase headless. Rewrites a task folder through an
// OpenAI-compatible endpoint (key from OPENAI_API_KEY), judges each rewrite, and writes the
// rephrased task to --out; progress lives in --out/.rephrase-state so a rerun resumes.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { boolFlag, numberFlag, optionalString, parseArgs, stringFlag, UsageError } from './args';
import { loadTaskFromFiles } from '../engine/data/parse';
import type { Task } from '../engine/data/task';
import { FileStore } from '../rephrase/fileStore';
import { RephraseJob, type JobProgress, type RephraseEvent } from '../rephrase/job';
import { exportReviewJsonl, exportTaskFiles } from '../rephrase/taskFiles';
import { redact } from '../rephrase/endpoint';
import type { RephraseConfigInput } from '../rephrase/config';

type Io = { stdout: (s: string) => void; stderr: (s: string) => void; env: Record<string, string | undefined> };

export const REPHRASE_USAGE = `zo-studio rephrase --task DIR --base-url URL --model NAME --out DIR [options]

Rewrites the training rows of a task with an LLM (OAT-Rephrase), keeps the rewrites a judge
accepts, and writes the rephrased task (task.json + <split>.jsonl) and review.jsonl to --out.
Rerunning with the same --out resumes; finished rows are never requested again.

  --task DIR             task folder: task.json + <split>.jsonl
  --base-url URL         OpenAI-compatible API, e.g. https://api.openai.com/v1, http://localhost:11434/v1
  --model NAME           rewriter model               --judge-model NAME   judge model (default: --model)
  --judge-base-url URL   judge endpoint (default: --base-url; key from OPENAI_JUDGE_API_KEY if set)
  --mode replace|augment replace rows, or add accepted rewrites (default replace)
  --concurrency N        requests at once (default 4)   --limit N   only the first N rows per split
  --splits a,b           splits to rewrite (default train)   --fields a,b   row fields to rewrite
  --timeout-ms N         per-request timeout (default 60000)   --retries N   HTTP retries (default 4)
  --backoff-ms N         first retry delay (default 1000)
  --json-mode            ask the server for JSON output (response_format json_object)
  --retry-failed         queue rows that failed before again
  --json                 progress as JSON lines on stdout
The API key is read from OPENAI_API_KEY and is never written anywhere.`;

async function readTaskDir(dir: string): Promise<{ task: Task; problems: string[] }> {
  const names = (await readdir(dir)).filter((n) => n === 'task.json' || /\.(jsonl|csv)$/i.test(n));
  const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
  const parsed = loadTaskFromFiles(files);
  return { task: { spec: parsed.spec, splits: parsed.splits }, problems: parsed.problems.map((p) => p.message) };
}

function list(value: string | undefined): string[] | undefined {
  return value?.split(',').map((s) => s.trim()).filter(Boolean);
}

function summary(p: JobProgress): string {
  const done = p.total - p.pending;
  const rate = p.acceptanceRate === null ? '–' : `${(p.acceptanceRate * 100).toFixed(1)}%`;
  return `${done}/${p.total} rows · ${p.accepted} accepted · ${p.rejected} rejected · ${p.failed} failed · acceptance ${rate} · ${p.usage.total.totalTokens.toLocaleString('en-US')} tokens`;
}

export async function rephraseCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['json', 'json-mode', 'retry-failed', 'help']);
  if (boolFlag(args, 'help')) {
    io.stdout(REPHRASE_USAGE);
    return 0;
  }
  let config: RephraseConfigInput;
  let taskDir: string;
  let outDir: string;
  try {
    taskDir = stringFlag(args, 'task');
    outDir = stringFlag(args, 'out');
    const baseUrl = stringFlag(args, 'base-url');
    const model = stringFlag(args, 'model');
    const mode = optionalString(args, 'mode') ?? 'replace';
    if (mode !== 'replace' && mode !== 'augment') throw new UsageError(`--mode must be replace or augment, got "${mode}"`);
    config = {
      rewriter: { baseUrl, model },
      judge: { baseUrl: optionalString(args, 'judge-base-url') ?? baseUrl, model: optionalString(args, 'judge-model') ?? model },
      mode,
      concurrency: numberFlag(args, 'concurrency', 4),
      limit: numberFlag(args, 'limit', 0),
      timeoutMs: numberFlag(args, 'timeout-ms', 60_000),
      maxRetries: numberFlag(args, 'retries', 4),
      baseDelayMs: numberFlag(args, 'backoff-ms', 1_000),
      splits: list(optionalString(args, 'splits')),
      fields: list(optionalString(args, 'fields')),
      responseFormat: boolFlag(args, 'json-mode') ? 'json_object' : undefined,
    };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`${err.message}\n\n${REPHRASE_USAGE}`);
    return 2;
  }
  const json = boolFlag(args, 'json');
  const apiKey = io.env.OPENAI_API_KEY;
  const judgeApiKey = io.env.OPENAI_JUDGE_API_KEY;
  const say = (human: string, event: Record<string, unknown>): void => (json ? io.stdout(JSON.stringify(event)) : io.stdout(human));
  const warn = (text: string): void => io.stderr(redact(redact(text, apiKey), judgeApiKey));

  const { task, problems } = await readTaskDir(taskDir);
  for (const p of problems.slice(0, 20)) warn(`task: ${p}`);
  if (!apiKey) warn('OPENAI_API_KEY is not set: requests go without a key (fine for a local server).');

  let job: RephraseJob;
  try {
    job = await RephraseJob.open({ task, store: new FileStore(join(outDir, '.rephrase-state')), config, apiKey, judgeApiKey });
  } catch (err) {
    warn(`zo-studio rephrase: ${(err as Error).message}`);
    return err instanceof Error && /must be|No text field/.test(err.message) ? 2 : 1;
  }
  if (boolFlag(args, 'retry-failed')) await job.retryFailed();
  const before = job.progress();
  say(`rephrase ${task.spec.name}: ${before.total} rows (${before.total - before.pending} already done), fields ${job.config.fields.join(',')}, mode ${job.config.mode}, rewriter ${job.config.rewriter.model}, judge ${job.config.judge.model}`, {
    event: 'start',
    task: task.spec.name,
    total: before.total,
    alreadyDone: before.total - before.pending,
    config: { mode: job.config.mode, fields: job.config.fields, rewriter: job.config.rewriter, judge: job.config.judge },
  });

  let lastDone = before.total - before.pending;
  let lastPrint = 0;
  job.subscribe((e: RephraseEvent) => {
    if (e.kind === 'retry') {
      if (json) io.stdout(JSON.stringify({ event: 'retry', row: e.rowKey, stage: e.stage, attempt: e.attempt, delayMs: Math.round(e.delayMs), message: e.message }));
      else warn(`  retry ${e.attempt} for ${e.rowKey} (${e.stage}) in ${Math.round(e.delayMs)} ms: ${e.message}`);
    } else if (e.kind === 'row' && e.row.status === 'failed') {
      if (json) io.stdout(JSON.stringify({ event: 'row-failed', row: e.row.key, error: e.row.error }));
      else warn(`  row ${e.row.key} failed: ${e.row.error}`);
    } else if (e.kind === 'progress') {
      const done = e.progress.total - e.progress.pending;
      const now = Date.now();
      if (done === lastDone || (!json && now - lastPrint < 1_000 && done < e.progress.total)) return;
      lastDone = done;
      lastPrint = now;
      say(`  ${summary(e.progress)}`, { event: 'progress', ...e.progress });
    }
  });

  const onSigint = (): void => {
    warn('Cancelling (progress is saved; rerun the same command to resume)…');
    job.cancel();
  };
  process.once('SIGINT', onSigint);
  let progress: JobProgress;
  try {
    progress = await job.start();
  } finally {
    process.removeListener('SIGINT', onSigint);
  }

  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'review.jsonl'), exportReviewJsonl(job.rows()), 'utf8');
  if (job.status === 'done') {
    const files = exportTaskFiles(job.rephrasedTask(), job.rows(), job.config);
    for (const [name, text] of Object.entries(files)) await writeFile(join(outDir, name), text, 'utf8');
  }
  say(`${job.status}: ${summary(progress)}`, { event: 'end', status: job.status, error: job.error, ...progress });
  if (job.status === 'done') {
    if (progress.failed > 0) warn(`${progress.failed} rows failed and kept their original; rerun with --retry-failed to try them again.`);
    say(`wrote ${join(outDir, 'task.json')} and its splits, and review.jsonl`, { event: 'written', dir: outDir });
    return 0;
  }
  if (job.status === 'error') warn(`zo-studio rephrase: ${job.error ?? 'stopped'}\nProgress is saved in ${outDir}; rerun the same command to resume.`);
  return job.status === 'cancelled' ? 130 : 1;
}
