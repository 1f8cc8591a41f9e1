// Prompt templates: "{text}\nThis is a kind of" with {field} placeholders filled from a row.
// Escapes as in Python's str.format: "{{" is a literal "{", "}}" a literal "}".
import type { TaskRow } from './task';

export type TemplatePart = { text: string } | { field: string };

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Splits a template into literal text and placeholders; throws TemplateError on bad syntax. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (c === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0) throw new TemplateError(`unclosed "{" at character ${i + 1} of the template; write "{{" for a literal "{"`);
      const name = template.slice(i + 1, end).trim();
      if (!FIELD_NAME.test(name)) {
        throw new TemplateError(
          `"{${template.slice(i + 1, end)}}" at character ${i + 1} is not a field placeholder: use {field_name} (letters, digits, _), or "{{" for a literal "{"`,
        );
      }
      if (text) parts.push({ text });
      text = '';
      parts.push({ field: name });
      i = end + 1;
    } else if (c === '}') {
      throw new TemplateError(`unmatched "}" at character ${i + 1} of the template; write "}}" for a literal "}"`);
    } else {
      text += c;
      i += 1;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/** The distinct field names a template uses, in order of first use. */
export function templateFields(template: string): string[] {
  const names: string[] = [];
  for (const part of parseTemplate(template)) {
    if ('field' in part && !names.includes(part.field)) names.push(part.field);
  }
  return names;
}

/** A row value as prompt text: strings as they are, numbers and booleans printed; else null. */
export function fieldText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * Renders the template with the row's fields. Throws TemplateError naming the field when a
 * placeholder has no value in the row (an unknown placeholder) or the value is not text.
 */
export function renderTemplate(template: string | TemplatePart[], row: TaskRow): string {
  const parts = typeof template === 'string' ? parseTemplate(template) : template;
  let out = '';
  for (const part of parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value = row[part.field];
    if (value === undefined || value === null) {
      const known = Object.keys(row).join(', ') || 'none';
      throw new TemplateError(`the template uses {${part.field}} but the row has no field '${part.field}' (its fields: ${known})`);
    }
    const text = fieldText(value);
    if (text === null) throw new TemplateError(`field '${part.field}' is ${typeof value}, not text; the template uses {${part.field}}`);
    out += text;
  }
  return out;
}
