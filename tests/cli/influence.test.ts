// `zo-studio influence` (its main(), in process) on the tiny demo-tokenizer model and the first
// 16 train / 4 dev rows of wn-animal-plant: with --run (on the CPU backend, which runs this in
// seconds where SwiftShader's shader compiles take a minute; the WebGPU path is the typed-prompt case), the vectors at the run's weights are
// computed once, cached beside the record and read back on the next call (same ranking), and the
// trajectory attribution is printed; on the base model (WebGPU and the CPU backend) a typed prompt equal to a train row finds
// that row first (cosine 1 up to f16 rounding); a missing query is a usage error.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIo } from '../helpers/captureIo';
import { DEMO_DATA } from '../helpers/paths';
import { writeTinyDemoModel } from '../fixtures/tinyModel';

const SOURCE = join(DEMO_DATA, 'wn-animal-plant');

describe('zo-studio influence', () => {
  let dir: string;
  const model = () => join(dir, 'model');
  const task = () => join(dir, 'task');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zo-cli-influence-'));
    writeTinyDemoModel(model());
    mkdirSync(task());
    writeFileSync(join(task(), 'task.json'), readFileSync(join(SOURCE, 'task.json')));
    for (const [split, n] of [['train', 16], ['dev', 4]] as const) {
      writeFileSync(join(task(), `${split}.jsonl`), readFileSync(join(SOURCE, `${split}.jsonl`), 'utf8').split('\n').slice(0, n).join('\n') + '\n');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ranks rows at a run\'s weights, caches the vectors beside the record, and attributes the run', async () => {
    const out = join(dir, 'run');
    const io = captureIo();
    expect(await main(['train', '--backend', 'cpu', '--model', model(), '--task', task(), '--steps', '3', '--batch', '4', '--lr', '1e-3', '--eval-limit', '4', '--seed', '2', '--out', out, '--json'], io), io.err.join('\n')).toBe(0);
    const record = join(out, 'run.zorec');
    const args = ['influence', '--backend', 'cpu', '--model', model(), '--task', task(), '--run', record, '--query-split', 'dev', '--query-row', '1', '--k', '8', '--top', '3'];
    const first = captureIo();
    expect(await main([...args, '--json'], first), first.err.join('\n')).toBe(0);
    const result = JSON.parse(first.out.at(-1)!);
    expect(result.cost).toMatchObject({ rows: 16, k: 8, dims: 8, perturbationPasses: 16, cacheBytes: 16 * 4 + 16 * 8 * 2 });
    expect(result.cost.forwards).toBe(16 * Math.ceil(16 / result.cost.batch));
    expect(result.proponents).toHaveLength(3);
    expect(result.opponents).toHaveLength(3);
    expect(existsSync(`${record}.k8-s0.zoinf`)).toBe(true);
    expect(result.trajectory.steps).toBe(3);
    expect(Number.isFinite(result.trajectory.predictedTotal)).toBe(true);

    // The second call reads the cache (no cost: nothing computed) and ranks the same rows.
    const again = captureIo();
    expect(await main([...args, '--no-trajectory', '--json'], again), again.err.join('\n')).toBe(0);
    const cached = JSON.parse(again.out.at(-1)!);
    expect(cached.cost).toBeNull();
    expect(cached.proponents).toEqual(result.proponents);
    expect(cached.trajectory).toBeNull();
  });

  it.each(['webgpu', 'cpu'])('a typed prompt equal to a train row finds that row first (base model, %s backend)', async (backend) => {
    const row = JSON.parse(readFileSync(join(task(), 'train.jsonl'), 'utf8').split('\n')[6]);
    const io = captureIo();
    const code = await main(['influence', '--backend', backend, '--model', model(), '--task', task(), '--prompt', `${row.text}\\nThis is a kind of`, '--answer', row.label === 0 ? 'animal' : 'plant', '--k', '8', '--top', '1', '--cache', join(dir, `self-${backend}.zoinf`), '--json'], io);
    expect(code, io.err.join('\n')).toBe(0);
    const r = JSON.parse(io.out.at(-1)!);
    expect(r.proponents[0].line).toBe(7);
    expect(r.proponents[0].score).toBeGreaterThan(0.999);
    expect(r.trajectory).toBeNull();
  });

  it('asks for a query', async () => {
    const io = captureIo();
    expect(await main(['influence', '--model', model(), '--task', task()], io)).toBe(2);
    expect(io.err.join('\n')).toMatch(/--query-split dev --query-row N, or --prompt P --answer A/);
  });
});
