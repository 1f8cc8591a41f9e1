// Each run's record bytes, as the app saves and exports them (not React state: they change every
// step and nothing renders them). Built from the engine's events (recordBuffer.ts) for a run
// trained here, or taken whole from a saved or imported run.
import { RecordBuffer } from './recordBuffer';

const records = new Map<string, RecordBuffer>();

/** The run began stepping with this open record (EngineEvent 'run-record'): later entries append to it. */
export function beginRecord(runId: string, record: Uint8Array): void {
  records.set(runId, new RecordBuffer(record));
}

/** A finished step's entry (EngineEvent 'step'). */
/** A finished step's entry (EngineEvent 'step'); false when the run has no record here to extend. */
export function appendRecordEntry(runId: string, entry: Uint8Array): boolean {
  const record = records.get(runId);
  record?.append(entry);
  return record !== undefined;
}

/** A run's record as saved or imported. */
export function setRecord(runId: string, record: Uint8Array): void {
  records.set(runId, new RecordBuffer(record));
}

/** Whether the run has a record here (without joining its bytes: render paths ask this). */
export function hasRecord(runId: string): boolean {
  return records.has(runId);
}

export function savedRecord(runId: string): Uint8Array | null {
  return records.get(runId)?.bytes() ?? null;
}

export function forgetRecord(runId: string): void {
  records.delete(runId);
}

/** The run's record as it grows (what a save appends from), or null without one. */
export function recordBuffer(runId: string): RecordBuffer | null {
  return records.get(runId) ?? null;
}
