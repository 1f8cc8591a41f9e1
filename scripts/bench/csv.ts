// CSV parsing cost (src/engine/data/csv.ts): time and peak memory for one 50 MB quoted field
// (the issue-12 case: it used to cost 1.9 GB and 5 s) and for 200,000 ordinary rows. Peak
// memory is the growth of the process's max RSS while parsing, so this runs before any other
// benchmark in the process. Run alone: npx tsx scripts/bench/csv.ts
import { csvToRows } from '../../src/engine/data/csv';

export interface CsvBench {
  csvBigFieldMs: number;
  csvBigFieldPeakMB: number;
  csvManyRowsMs: number;
  csvManyRowsPeakMB: number;
}

const maxRssMB = () => process.resourceUsage().maxRSS / 1024;

function measure(text: string, check: (rows: number) => void): { ms: number; peakMB: number } {
  const before = maxRssMB();
  const started = performance.now();
  const { rows } = csvToRows(text, 'train');
  const ms = performance.now() - started;
  check(rows.length);
  return { ms, peakMB: maxRssMB() - before };
}

export function benchCsv(log: (s: string) => void): CsvBench {
  const fieldMB = 50;
  const big = `text,label\n"${'a'.repeat(fieldMB * 1024 * 1024)}",0\n`;
  const a = measure(big, (n) => {
    if (n !== 1) throw new Error(`expected 1 row, got ${n}`);
  });
  log(`csv: one ${fieldMB} MB quoted field: ${a.ms.toFixed(0)} ms, peak +${a.peakMB.toFixed(0)} MB (input ${(big.length / 2 ** 20).toFixed(0)} MB)`);
  const lines = ['text,label'];
  for (let i = 0; i < 200_000; i++) lines.push(i % 7 ? `row number ${i} of the task,${i % 2}` : `"a quoted, row ""${i}""",${i % 2}`);
  const many = lines.join('\r\n');
  const b = measure(many, (n) => {
    if (n !== 200_000) throw new Error(`expected 200000 rows, got ${n}`);
  });
  log(`csv: 200,000 rows (${(many.length / 2 ** 20).toFixed(1)} MB): ${b.ms.toFixed(0)} ms, peak +${b.peakMB.toFixed(0)} MB`);
  return { csvBigFieldMs: a.ms, csvBigFieldPeakMB: a.peakMB, csvManyRowsMs: b.ms, csvManyRowsPeakMB: b.peakMB };
}

if (process.argv[1]?.endsWith('csv.ts')) benchCsv((s) => console.log(s));
