// Word-level diff for the review view: the longest common subsequence of word and whitespace
// tokens, as runs of equal / deleted (original only) / inserted (rewrite only) text. The panel
// renders the runs as text nodes, never as HTML.

export interface DiffPart {
  op: 'equal' | 'delete' | 'insert';
  text: string;
}

/** Above this many table cells the diff degrades to "all deleted, all inserted". */
const MAX_CELLS = 4_000_000;

export function tokenizeWords(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

export function wordDiff(original: string, rewrite: string): DiffPart[] {
  const a = tokenizeWords(original);
  const b = tokenizeWords(rewrite);
  const parts: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string): void => {
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += text;
    else parts.push({ op, text });
  };
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    if (original) push('delete', original);
    if (rewrite) push('insert', rewrite);
    return parts;
  }
  // lcs[i * (m + 1) + j] = LCS length of a[i:] and b[j:]
  const n = a.length;
  const m = b.length;
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      push('equal', a[i++]!);
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) {
      push('delete', a[i++]!);
    } else {
      push('insert', b[j++]!);
    }
  }
  while (i < n) push('delete', a[i++]!);
  while (j < m) push('insert', b[j++]!);
  return parts;
}

/** The original's side (equal + delete) and the rewrite's side (equal + insert), for two columns. */
export function sideBySide(parts: readonly DiffPart[]): { left: DiffPart[]; right: DiffPart[] } {
  return { left: parts.filter((p) => p.op !== 'insert'), right: parts.filter((p) => p.op !== 'delete') };
}
