// Validation of model output: the rewriter's and the judge's strict-JSON answers. Anything
// else (prose, missing or mistyped fields) is a MalformedOutput, which the job retries and
// then records as the row's failure. Text from the API is kept as data, never interpreted.

export class MalformedOutput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedOutput';
  }
}

/** Parses a JSON object from model output, tolerating surrounding code fences or whitespace. */
export function parseJsonObject(content: string): Record<string, unknown> {
  const text = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end <= start) throw new MalformedOutput(`Not JSON: ${preview(content)}`);
    try {
      value = JSON.parse(text.slice(start, end + 1));
    } catch {
      throw new MalformedOutput(`Not JSON: ${preview(content)}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedOutput(`Not a JSON object: ${preview(content)}`);
  return value as Record<string, unknown>;
}

/** The rewriter's answer: every field to rewrite present as a non-empty string. */
export function parseRewrite(content: string, fields: readonly string[]): Record<string, string> {
  const obj = parseJsonObject(content);
  const out: Record<string, string> = {};
  for (const field of fields) {
    const v = obj[field];
    if (typeof v !== 'string' || v.trim() === '') throw new MalformedOutput(`Missing string field "${field}" in ${preview(content)}`);
    out[field] = v;
  }
  return out;
}

export interface JudgeVerdict {
  verdict: 'accept' | 'reject';
  reason: string;
}

/** The judge's answer: {verdict: "accept" | "reject", reason: string}. */
export function parseVerdict(content: string): JudgeVerdict {
  const obj = parseJsonObject(content);
  const verdict = typeof obj.verdict === 'string' ? obj.verdict.trim().toLowerCase() : undefined;
  if (verdict !== 'accept' && verdict !== 'reject') throw new MalformedOutput(`"verdict" must be "accept" or "reject": ${preview(content)}`);
  if (typeof obj.reason !== 'string') throw new MalformedOutput(`Missing string "reason": ${preview(content)}`);
  return { verdict, reason: obj.reason };
}

function preview(content: string): string {
  const oneLine = content.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 120)}…` : oneLine;
}
