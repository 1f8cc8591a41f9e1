// An influence query as an encoded example: a row of a split, or a typed prompt and answer
// scored as the task scores its rows (a classification task's candidates are its label words,
// with the answer's as the label; otherwise the answer's tokens under the language-model loss).
import type { InfluenceQuery } from '../api';
import { continuationIds } from '../data/encode';
import { EngineStateError } from '../defs/engineError';
import { batchShape, type EncodedExample } from '../training/batches';
import type { Session } from '../session/session';

export function describeQuery(q: InfluenceQuery): string {
  return 'split' in q ? `${q.split} row ${q.row}` : `prompt ${JSON.stringify(q.prompt.slice(0, 40))} -> ${JSON.stringify(q.answer)}`;
}

export function queryExample(session: Session, query: InfluenceQuery): EncodedExample {
  const task = session.requireTask();
  if ('split' in query) {
    const rows = task.splits[query.split];
    if (!rows) throw new EngineStateError('task-unsuitable', `task ${task.name} has no split "${query.split}" (it has ${Object.keys(task.splits).join(', ')})`);
    if (!Number.isInteger(query.row) || query.row < 0 || query.row >= rows.length) {
      throw new EngineStateError('task-unsuitable', `${query.split} has rows 0..${rows.length - 1}; row ${query.row} does not exist`);
    }
    return rows[query.row];
  }
  const tok = session.requireModel().tokenizer;
  const spec = session.parsedTask!.spec;
  const promptIds = tok.encode(query.prompt);
  let ex: EncodedExample;
  if (spec.type === 'classification' && spec.label_words?.length) {
    const words = spec.label_words;
    const norm = (s: string) => s.trim().toLowerCase();
    const label = words.findIndex((w) => w === query.answer || norm(w) === norm(query.answer));
    if (label < 0) throw new EngineStateError('task-unsuitable', `the answer must be one of this task's label words: ${words.map((w) => JSON.stringify(w)).join(', ')}`);
    const candidates = words.map((w) => continuationIds(tok, query.prompt, promptIds, w));
    ex = { kind: 'classification', enc: { promptIds, candidates: candidates.map((c) => c.ids), label, fallbacks: candidates.flatMap((c, i) => (c.fallback ? [i] : [])) } };
  } else {
    const answer = continuationIds(tok, query.prompt, promptIds, query.answer);
    if (!answer.ids.length) throw new EngineStateError('task-unsuitable', 'the answer has no tokens: type the text the model should produce');
    ex = { kind: 'lm', enc: { ids: [...promptIds, ...answer.ids], lossMask: [...promptIds.map(() => false), ...answer.ids.map(() => true)], fallback: answer.fallback } };
  }
  const shape = batchShape([ex]);
  if (shape.seqLen > task.maxSeqLen || shape.positions > task.maxPositionsPerExample || shape.rows > task.maxRowsPerExample) {
    throw new EngineStateError('task-unsuitable', `the query needs ${shape.seqLen} tokens; this task's rows fit in ${task.maxSeqLen}: shorten the prompt`);
  }
  return ex;
}
