// The self-test page (selftest.html): runs checkGolden on this browser's WebGPU adapter and
// shows each prompt's errors; data-status on <main> is "pass" or "fail" when done.
import { acquireGpu } from '../engine/gpu/context';
import { checkGolden, LOGIT_TOLERANCE, LOSS_TOLERANCE, type GoldenCase } from './goldenCheck';

const root = document.getElementById('selftest')!;
const summary = document.getElementById('summary')!;
const table = document.getElementById('cases') as HTMLTableElement;
const result = document.getElementById('result')!;

function row(cells: string[], header = false): void {
  const tr = table.insertRow();
  for (const text of cells) {
    const cell = document.createElement(header ? 'th' : 'td');
    cell.textContent = text;
    tr.appendChild(cell);
  }
}

async function run(): Promise<void> {
  const ctx = await acquireGpu(navigator.gpu);
  const base = new URL('./demo-model/', location.href).href;
  const golden = (await (await fetch(new URL('golden.json', base))).json()) as { cases: GoldenCase[] };
  summary.textContent = `Adapter: ${ctx.adapter.description || ctx.adapter.vendor}. Checking ${golden.cases.length} prompts…`;
  const results = await checkGolden(ctx, base.replace(/\/$/, ''), golden.cases);
  row(['prompt', 'max |logit error|', '|loss error|', ''], true);
  for (const r of results) row([r.prompt.replace(/\n/g, ' ⏎ '), r.maxLogitError.toExponential(2), r.lossError.toExponential(2), r.pass ? 'pass' : 'FAIL']);
  const pass = results.every((r) => r.pass);
  summary.textContent = `${pass ? 'All prompts match' : 'Mismatch'}: tolerances ${LOGIT_TOLERANCE} (logits), ${LOSS_TOLERANCE} (loss), on ${ctx.adapter.description || ctx.adapter.vendor}.`;
  result.textContent = JSON.stringify({ adapter: ctx.adapter, results }, null, 2);
  root.dataset.status = pass ? 'pass' : 'fail';
}

run().catch((e: unknown) => {
  summary.textContent = `The self-test could not run: ${(e as Error).message}`;
  root.dataset.status = 'error';
});
