// A run's record as the app keeps it: the open record the engine sent when the run began stepping
// (EngineEvent 'run-record') and each step's entry after it ('step' events), appended as they
// arrive: the app never asks the engine for the whole record. The bytes are joined only when a
// save or an export needs them, and the join is kept until the next entry.
export class RecordBuffer {
  private parts: Uint8Array[];
  private joined: Uint8Array | null;
  /** Bytes in the record. */
  length: number;

  constructor(base: Uint8Array) {
    this.parts = [base];
    this.joined = base;
    this.length = base.length;
  }

  append(entry: Uint8Array): void {
    this.parts.push(entry);
    this.joined = null;
    this.length += entry.length;
  }

  /** Bytes `from` to `to` (what a save appends): copies only those, walking back from the end. */
  slice(from: number, to: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, to - from));
    let end = this.length;
    for (let i = this.parts.length - 1; i >= 0 && end > from; i--) {
      const part = this.parts[i];
      const start = end - part.length;
      const lo = Math.max(from, start);
      const hi = Math.min(to, end);
      if (hi > lo) out.set(part.subarray(lo - start, hi - start), lo - from);
      end = start;
    }
    return out;
  }

  /** The whole record: the base and every entry after it. */
  bytes(): Uint8Array {
    if (this.joined) return this.joined;
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts = [out];
    return (this.joined = out);
  }
}
