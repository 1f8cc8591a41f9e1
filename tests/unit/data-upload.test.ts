// Uploaded CSV / JSONL tasks (src/store/task/upload.ts on the data layer): the label set comes
// from every row, word labels get word advice, problems every row shares are said once, repeated
// problems are grouped, and a CSV quote left open is reported on its own line with its text.
import { describe, expect, it } from 'vitest';
import { csvToRows, describeLines, groupProblems, inferLabels, unknownTemplateFields } from '../../src/engine/data';
import { buildUploadTask } from '../../src/store/task/upload';
import type { UploadDraft } from '../../src/store/task/slice';

/** 20 rows whose first 12 are only positive / negative: the neutral rows come last. */
function threeClassCsv(): string {
  const lines = ['review,sentiment'];
  for (let i = 0; i < 12; i++) lines.push(`"review ${i}, fine",${i % 2 ? 'negative' : 'positive'}`);
  for (let i = 12; i < 20; i++) lines.push(`review ${i},neutral`);
  return lines.join('\n');
}

function draft(text: string, mapping: Record<string, string>, columns = ['review', 'sentiment']): UploadDraft {
  const found = inferLabels([csvToRows(text, 'train').rows], Object.entries(mapping).find(([, f]) => f === 'label')?.[0] ?? 'label');
  return { fileName: 'reviews.csv', format: 'csv', text, columns, mapping, type: 'classification', labels: found.values.join(', '), labelWords: found.values.join(', '), found };
}

describe('label set of an upload', () => {
  it('is read from every row, so a 3-class CSV whose first rows have two classes stays 3-class', () => {
    const d = draft(threeClassCsv(), { review: 'text', sentiment: 'label' });
    expect(d.found?.values).toEqual(['positive', 'negative', 'neutral']);
    expect(d.found?.counts).toEqual([6, 6, 8]);
    const built = buildUploadTask(d, '{text}\nThe answer is');
    if (!('parsed' in built)) throw new Error(built.error);
    expect(built.parsed.spec.label_words).toEqual([' positive', ' negative', ' neutral']);
    const rows = [...built.parsed.splits.train, ...built.parsed.splits.dev];
    expect(rows).toHaveLength(20); // no neutral row dropped
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set([0, 1, 2]));
    expect(built.parsed.problems).toEqual([]);
  });

  it('sorts integer labels and counts rows without one', () => {
    const found = inferLabels([[{ y: 2 }, { y: '0' }, { y: 1 }], [{ y: '10' }, { y: '' }, {}]], 'y');
    expect(found.values).toEqual(['0', '1', '2', '10']);
    expect(found.numeric).toBe(true);
    expect(found.missing).toBe(2);
  });

  it('advises the label words, not an index range, for a word label outside the set', () => {
    const d = { ...draft(threeClassCsv(), { review: 'text', sentiment: 'label' }), labels: 'positive, negative', labelWords: 'positive, negative' };
    const built = buildUploadTask(d, '{text}\nThe answer is');
    if (!('parsed' in built)) throw new Error(built.error);
    const groups = groupProblems(built.parsed.problems);
    expect(groups).toHaveLength(1);
    expect(groups[0].rows).toHaveLength(8);
    expect(groups[0].message).toBe("label 'neutral' is not one of the task's labels ('positive', 'negative'); add it to the label set or fix the row");
    expect(groups[0].message).not.toMatch(/integer/);
  });

  it('asks for one word per label when the two lists differ in length', () => {
    const d = { ...draft(threeClassCsv(), { review: 'text', sentiment: 'label' }), labelWords: 'good, bad' };
    const built = buildUploadTask(d, '{text}');
    expect('error' in built && built.error).toMatch(/3 labels .* but 2 label words/);
  });
});

describe('problems said once', () => {
  it('unmapped columns: one message naming the file\'s columns, no per-row problems', () => {
    const built = buildUploadTask(draft(threeClassCsv(), {}), '{text}\nThe answer is');
    expect(built).toEqual({ fatal: false, error: 'Map the columns: this file has review, sentiment; pick the column for “text” and “label” above.' });
  });

  it('a template typo: one message naming the placeholder', () => {
    const built = buildUploadTask(draft(threeClassCsv(), { review: 'text', sentiment: 'label' }), '{txt}\nThe answer is');
    expect(built).toEqual({ fatal: false, error: 'The template uses {txt}, which is not a column; the columns are {text}. Fix the template, or map a column to that name.' });
    expect(unknownTemplateFields('{a} {b} {text}', ['text'])).toBe('the template uses {a} and {b}, which are not columns; the columns are {text}');
    expect(unknownTemplateFields('{text}', ['text'])).toBeNull();
  });

  it('groups identical problems with their lines', () => {
    const problems = Array.from({ length: 41 }, (_, i) => ({ split: 'train', row: i + 2, message: `row ${i + 2}: field 'text' is empty; the template uses {text}` }));
    const groups = groupProblems([...problems, { split: 'train', row: 0, message: 'no valid rows' }]);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ message: "field 'text' is empty; the template uses {text}" });
    expect(describeLines(groups[0].rows)).toBe('lines 2, 3, 4, 5, 6, 7 … (41 lines)');
    expect(describeLines([4])).toBe('line 4');
    expect(describeLines([4, 9])).toBe('lines 4 and 9');
  });
});

describe('CSV quotes', () => {
  const rows = (bad: (i: number) => string | null) => {
    const lines = ['text,label'];
    for (let i = 2; i <= 20; i++) lines.push(bad(i) ?? `row ${i},negative`);
    return lines.join('\n');
  };

  it('a quote never closed is reported on its own line, with that line\'s text', () => {
    const { problems } = csvToRows(rows((i) => (i === 12 ? '"Great movie, really,positive' : null)), 'train');
    expect(problems).toHaveLength(1);
    expect(problems[0].row).toBe(12);
    expect(problems[0].message).toMatch(/^line 12: a quoted field is never closed \("Great movie, really,positive\)/);
  });

  it('a quote left open that a later line closes is reported at the line that opened it, not as that later line\'s content', () => {
    const { rows: kept, problems } = csvToRows(rows((i) => (i === 12 ? '"Great movie, really,positive' : i === 15 ? '"Bad" film,negative' : null)), 'train');
    expect(problems).toHaveLength(1);
    expect(problems[0].row).toBe(12);
    expect(problems[0].message).toContain('line 12: the quote opened on this line ("Great movie, really,positive) closes only on line 15');
    expect(problems[0].message).not.toContain('Bad');
    // Lines 12-15 ran together and are left out; every other row is kept.
    expect(kept).toHaveLength(19 - 4);
  });

  it('keeps quoted fields with line breaks and commas', () => {
    const { rows: kept, problems } = csvToRows('text,label\n"two\nlines, and a comma",positive\n"say ""hi""",negative\n', 'train');
    expect(problems).toEqual([]);
    expect(kept).toEqual([{ text: 'two\nlines, and a comma', label: 'positive' }, { text: 'say "hi"', label: 'negative' }]);
  });
});
