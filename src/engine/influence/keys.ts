// What influence vectors are of: sha-256 digests of the model (its files and precision), of the
// weights (the base checkpoint in a tuning mode, or the held run: its config and record up to
// the steps done) and of the task (its encoded train rows). The app keys its IndexedDB cache and
// the CLI its cache file with them; a file with another key is refused, never ranked.
import type { InfluenceKey, TrainConfig } from '../api';
import type { Session } from '../session/session';

export async function sha256Hex(...parts: (string | Uint8Array)[]): Promise<string> {
  const chunks = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
  const joined = new Uint8Array(chunks.reduce((a, c) => a + c.length + 4, 0));
  let at = 0;
  for (const c of chunks) {
    new DataView(joined.buffer).setUint32(at, c.length, true); // length-prefixed: ("ab","c") != ("a","bc")
    joined.set(c, at + 4);
    at += c.length + 4;
  }
  const digest = await crypto.subtle.digest('SHA-256', joined);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The parts of a config that decide the trainable set on the base weights (LoRA's init depends on the seed). */
function trainableIdentity(config: TrainConfig): string {
  const { mode, full, lora, sparse, seed, blockScales } = config;
  return JSON.stringify({ mode, full, lora, sparse, seed: mode === 'full' ? undefined : seed, blockScales });
}

export async function influenceKey(session: Session, config: TrainConfig): Promise<InfluenceKey> {
  const model = session.requireModel();
  const task = session.requireTask();
  const files = Object.entries(model.summary.fileHashes).sort(([a], [b]) => (a < b ? -1 : 1));
  const run = session.run;
  const weights = run?.zo
    ? sha256Hex('run', trainableIdentity(run.config), run.encodeRecord())
    : sha256Hex('base', trainableIdentity(config));
  return {
    model: await sha256Hex('model', JSON.stringify(files), model.summary.precision),
    weights: await weights,
    task: await sha256Hex('task', task.name, JSON.stringify(task.splits.train ?? [])),
  };
}

export function sameKey(a: InfluenceKey, b: InfluenceKey): boolean {
  return a.model === b.model && a.weights === b.weights && a.task === b.task;
}
