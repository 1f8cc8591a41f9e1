// Templates ({field}, {{ }} escapes, unknown placeholders) and CSV edge cases (quotes, commas
// and line breaks inside quotes, CRLF, BOM, ragged rows, unclosed quotes).
import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, templateFields, TemplateError } from '../../src/engine/data/template';
import { csvToRows, parseCsvRecords } from '../../src/engine/data/csv';

describe('templates', () => {
  it('renders fields and the demo template', () => {
    expect(renderTemplate('{text}\nThis is a kind of', { text: 'a female lion' })).toBe('a female lion\nThis is a kind of');
    expect(renderTemplate('Q: {q} ({n})', { q: 'why', n: 3 })).toBe('Q: why (3)');
  });

  it('treats {{ and }} as literal braces', () => {
    expect(renderTemplate('{{"x": {v}}}', { v: '1' })).toBe('{"x": 1}');
    expect(renderTemplate('{{text}}', { text: 'no' })).toBe('{text}');
    expect(templateFields('{{a}} {b} {c} {b}')).toEqual(['b', 'c']);
  });

  it('errors on unknown placeholders and bad syntax, naming what to fix', () => {
    expect(() => renderTemplate('{txt} is', { text: 'a' })).toThrow("the template uses {txt} but the row has no field 'txt' (its fields: text)");
    expect(() => renderTemplate('{text}', { text: { a: 1 } })).toThrow("field 'text' is object, not text");
    expect(() => parseTemplate('a {b')).toThrow(TemplateError);
    expect(() => parseTemplate('a {b')).toThrow('unclosed "{" at character 3');
    expect(() => parseTemplate('a } b')).toThrow('unmatched "}" at character 3 of the template; write "}}" for a literal "}"');
    expect(() => parseTemplate('{}')).toThrow('"{}" at character 1 is not a field placeholder');
    expect(() => parseTemplate('{a b}')).toThrow(/is not a field placeholder/);
  });

  it('splits into parts', () => {
    expect(parseTemplate('Define "{lemma}":')).toEqual([{ text: 'Define "' }, { field: 'lemma' }, { text: '":' }]);
  });
});

describe('CSV', () => {
  it('handles quotes, escaped quotes, commas and newlines inside quotes', () => {
    const text = 'text,label\n"a dog, small",0\n"say ""hi""",1\n"two\nlines",0\nplain,1';
    const { records, error } = parseCsvRecords(text);
    expect(error).toBeNull();
    expect(records.map((r) => r.fields)).toEqual([
      ['text', 'label'],
      ['a dog, small', '0'],
      ['say "hi"', '1'],
      ['two\nlines', '0'],
      ['plain', '1'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it('handles CRLF, a BOM, blank lines, empty fields and a trailing newline', () => {
    const { records } = parseCsvRecords('\ufeffa,b\r\n1,\r\n\r\n,"x\r\ny"\r\n');
    expect(records.map((r) => r.fields)).toEqual([['a', 'b'], ['1', ''], ['', 'x\r\ny']]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('reports an unclosed quote with its line', () => {
    const { error } = parseCsvRecords('a,b\n1,"oops\n2,3\n');
    expect(error).toMatch(/^line 2: a quoted field is never closed/);
  });

  it('maps columns to fields and reports ragged rows and missing columns', () => {
    const text = 'sentence,y,extra\n"a, b",1,x\nonly,two\nc,0,z\n';
    const out = csvToRows(text, 'train', { sentence: 'text', y: 'label' });
    expect(out.rows).toEqual([{ text: 'a, b', label: '1' }, { text: 'c', label: '0' }]);
    expect(out.lines).toEqual([2, 4]);
    expect(out.problems).toEqual([
      { split: 'train', row: 3, message: 'row 3: has 2 columns but the header has 3; quote fields that contain commas ("a, b")' },
    ]);
    const missing = csvToRows(text, 'train', { sentence: 'text', gold: 'label' });
    expect(missing.problems[0].message).toBe("column 'gold' (mapped to 'label') is not in the header; the columns are: sentence, y, extra");
  });

  it('keeps header names without a mapping, and reports an empty file', () => {
    expect(csvToRows('text,label\nx,1', 'dev').rows).toEqual([{ text: 'x', label: '1' }]);
    expect(csvToRows('', 'dev').problems[0].message).toMatch(/the CSV file is empty/);
  });
});
