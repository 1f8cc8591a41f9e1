// The ZOPrO record as data, and the JSON forms older versions wrote it in (ZOPrO now writes the
// binary run record, zoproRecord.ts; these forms are read and converted on import and resume).
// Closed: one JSON object {hyper, options, steps: [...]} (the CLI's zopro-record.json, and records
// saved before runs streamed their steps). Open: that object with steps: [] on the first line, then
// one JSON step per line (the app's records as it appended a line per step). The writers below
// remain to make records of those forms in tests of the conversion.
import type { ZoproOptions } from '../api';
import type { ZoHyper } from '../defs/zoConfig';
import type { MixTerm } from '../defs/zoMix';

export interface ZoproRecordStep {
  step: number;
  grad: number;
  lambda: number;
  terms: MixTerm[];
  /** The step's loss as its record entry keeps it (f32); absent in records converted from JSON. */
  loss?: number;
}

/** Enough to replay a run's moves: theta += -lr_t g_t z_t with z_t from its terms. */
export interface ZoproRecord {
  hyper: ZoHyper;
  options: ZoproOptions;
  steps: ZoproRecordStep[];
}

const encoder = new TextEncoder();

/** The open record's first line: everything but the steps. */
export function encodeZoproHead(r: Pick<ZoproRecord, 'hyper' | 'options'>): Uint8Array {
  return encoder.encode(JSON.stringify({ hyper: r.hyper, options: r.options, steps: [] }) + '\n');
}

/** One step's line of an open record. */
export function encodeZoproStepLine(step: ZoproRecordStep): Uint8Array {
  return encoder.encode(JSON.stringify(step) + '\n');
}

/**
 * The record object of either form (its fields unchecked: callers validate them). Throws
 * SyntaxError when the text is neither one JSON object nor a first JSON line and step lines.
 */
export function parseZoproRecordText(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (closed) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length < 2) throw closed;
    const head = JSON.parse(lines[0]) as Record<string, unknown>;
    if (!head || typeof head !== 'object' || !Array.isArray(head.steps) || head.steps.length) throw closed;
    return { ...head, steps: lines.slice(1).map((l) => JSON.parse(l) as unknown) };
  }
}
