// `zo-studio rephrase` end to end: a demo task folder in a temp dir, the scripted server, an
// interrupted first run (the endpoint starts refusing the key), a resumed second run that
// re-sends no finished row, JSON-lines progress, and no trace of the key in the output folder.
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rephraseCommand } from '../../src/cli/rephrase';
import { importTaskFiles } from '../../src/rephrase/taskFiles';
import { goodModel, startOpenAiServer, type RecordedRequest, type ScriptedServer } from '../fixtures/openaiServer';
import { DEMO_DATA } from '../helpers/paths';

const KEY = 'sk-cli-SECRET-5555555555';
const DEMO = join(DEMO_DATA, 'wn-animal-plant');
let root: string;
let taskDir: string;
let trainRows: { text: string; label: number }[];
let server: ScriptedServer | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'zo-rephrase-cli-'));
  taskDir = join(root, 'task');
  await mkdir(taskDir);
  const lines = async (f: string, n: number): Promise<string[]> => (await readFile(join(DEMO, f), 'utf8')).split('\n').filter(Boolean).slice(0, n);
  const train = await lines('train.jsonl', 10);
  trainRows = train.map((l) => JSON.parse(l) as { text: string; label: number });
  await writeFile(join(taskDir, 'train.jsonl'), train.join('\n') + '\n');
  await writeFile(join(taskDir, 'dev.jsonl'), (await lines('dev.jsonl', 5)).join('\n') + '\n');
  await writeFile(join(taskDir, 'task.json'), await readFile(join(DEMO, 'task.json'), 'utf8'));
});
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function capture(): { io: Parameters<typeof rephraseCommand>[1]; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { OPENAI_API_KEY: KEY } }, out, err };
}

/** The judge rejects row 2 of the demo split; everything else is accepted. */
const script = (req: RecordedRequest) => {
  if (req.kind === 'judge' && req.example?.text === trainRows[2]!.text) return { content: '{"verdict":"reject","reason":"label drift"}' };
  return goodModel(req);
};

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('zo-studio rephrase', () => {
  it('resumes an interrupted run without re-sending finished rows, and writes the task', async () => {
    const out = join(root, 'out1');
    server = await startOpenAiServer((req) => (req.n >= 8 ? { status: 401 } : script(req)));
    const argv = ['--task', taskDir, '--base-url', server.baseUrl, '--model', 'rw', '--judge-model', 'judge', '--concurrency', '2', '--out', out, '--backoff-ms', '10'];
    const first = capture();
    expect(await rephraseCommand(argv, first.io)).toBe(1);
    expect(first.err.join('\n')).toMatch(/refused the API key[\s\S]*rerun the same command to resume/);
    expect((await readdir(out)).sort()).toEqual(['.rephrase-state', 'review.jsonl']);
    const review = (await readFile(join(out, 'review.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { decision: string; original: { text: string } });
    const finished = review.filter((r) => r.decision === 'accept' || r.decision === 'reject').map((r) => r.original.text);
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished.length).toBeLessThan(10);
    await server.close();

    server = await startOpenAiServer(script);
    const second = capture();
    argv[argv.indexOf('--base-url') + 1] = server.baseUrl;
    expect(await rephraseCommand(argv, second.io)).toBe(0);
    const sent = server.requests.map((r) => r.example?.text);
    for (const text of finished) expect(sent).not.toContain(text);
    expect(second.out[0]).toMatch(new RegExp(`10 rows \\(${finished.length} already done\\)`));
    expect(second.out.join('\n')).toMatch(/done: 10\/10 rows · 9 accepted · 1 rejected · 0 failed · acceptance 90\.0%/);

    const files: Record<string, string> = {};
    for (const name of ['task.json', 'train.jsonl', 'dev.jsonl']) files[name] = await readFile(join(out, name), 'utf8');
    const { task, problems } = importTaskFiles(files);
    expect(problems).toEqual([]);
    expect(task.splits.train!.map((r) => r.text)).toEqual(trainRows.map((r, i) => (i === 2 ? r.text : `Plainly, ${r.text}`)));
    expect(task.splits.train!.map((r) => r.label)).toEqual(trainRows.map((r) => r.label));
    const parseLines = (t: string): unknown[] => t.trim().split('\n').map((l) => JSON.parse(l));
    expect(parseLines(files['dev.jsonl']!)).toEqual(parseLines(await readFile(join(taskDir, 'dev.jsonl'), 'utf8')));
    const spec = JSON.parse(files['task.json']!) as Record<string, unknown>;
    expect(spec.label_words).toEqual([' animal', ' plant']);
    expect(spec.rephrase).toMatchObject({ mode: 'replace', accepted: 9, rejected: 1, rewriter: { model: 'rw' }, judge: { model: 'judge' } });

    for (const path of await allFiles(out)) expect(await readFile(path, 'utf8')).not.toContain('SECRET');
    for (const line of [...first.out, ...first.err, ...second.out, ...second.err]) expect(line).not.toContain('SECRET');

    server.requests.length = 0;
    const third = capture();
    expect(await rephraseCommand(argv, third.io)).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('--json prints JSON lines; augment with --limit adds only the accepted rewrites', async () => {
    const out = join(root, 'out2');
    server = await startOpenAiServer(script);
    const { io, out: lines } = capture();
    const code = await rephraseCommand(['--task', taskDir, '--base-url', server.baseUrl, '--model', 'rw', '--mode', 'augment', '--limit', '4', '--out', out, '--json'], io);
    expect(code).toBe(0);
    const events = lines.map((l) => JSON.parse(l) as { event: string; status?: string; accepted?: number });
    expect(events[0]!.event).toBe('start');
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    expect(events.find((e) => e.event === 'end')).toMatchObject({ status: 'done', accepted: 3, rejected: 1 });
    expect(server.requests).toHaveLength(8);
    const train = (await readFile(join(out, 'train.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { text: string });
    expect(train).toHaveLength(13);
    expect(train.slice(10).map((r) => r.text)).toEqual([0, 1, 3].map((i) => `Plainly, ${trainRows[i]!.text}`));
  });

  it('reports usage errors with exit code 2', async () => {
    const { io, err } = capture();
    expect(await rephraseCommand(['--task', taskDir, '--out', join(root, 'x'), '--base-url', 'http://127.0.0.1:9/v1'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/--model is required/);
  });
});
