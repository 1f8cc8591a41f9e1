// The Influence view's own small store: what the user asks (a dev row or a typed prompt and
// answer, K, how many rows to list), the computation in flight with its progress, which vectors
// the engine holds as far as the view needs to say (their key, K, rows, where they came from),
// and the last ranking and trajectory attribution to show. The vectors themselves live in the
// engine and in IndexedDB (./cache.ts), never here. Changed only by ./actions.ts.
import { create } from 'zustand';
import type { InfluenceCost, InfluenceKey, InfluenceQuery, InfluenceScore } from '../../engine/api';
import type { UserError } from '../userError';

/** A ranking as the view shows it: the query, its loss and the rows listed each way. */
export interface ShownRanking {
  query: InfluenceQuery;
  queryLoss: number;
  proponents: InfluenceScore[];
  opponents: InfluenceScore[];
  /** The weights ranked against, in words ("base model", "run X at step N"). */
  weights: string;
}

/** A run's trajectory attribution as the view shows it (the full per-row vector stays out). */
export interface ShownTrajectory {
  runId: string;
  query: InfluenceQuery;
  steps: number;
  proponents: InfluenceScore[];
  opponents: InfluenceScore[];
  predicted: number[];
  actual: number[];
  predictedTotal: number;
  actualTotal: number;
  correlation: number;
  lossBefore: number;
  lossAfter: number;
}

/** The vectors the engine holds, as far as the view says anything about them. */
export interface HeldVectors {
  key: InfluenceKey;
  k: number;
  rows: number;
  cacheBytes: number;
  /** 'computed' now, or read back from this browser's cache (no recompute). */
  source: 'computed' | 'cache';
  /** Seconds the computation took (when it was computed). */
  seconds: number;
  savedAt: number;
}

export interface InfluenceProgress {
  requestId: string;
  phase: 'vectors' | 'query' | 'trajectory';
  done: number;
  total: number;
  secondsLeft: number | null;
  cost: InfluenceCost | null;
  cancelling: boolean;
}

export interface InfluenceSettings {
  queryKind: 'dev' | 'text';
  /** 0-based index into the dev split. */
  devRow: number;
  prompt: string;
  answer: string;
  /** Seeded directions (default 256, as RapidIn's scale of compression calls for). */
  k: number;
  /** Rows listed as proponents and as opponents. */
  top: number;
}

export interface InfluenceState extends InfluenceSettings {
  progress: InfluenceProgress | null;
  vectors: HeldVectors | null;
  /** Vectors cached for this model and task under other weights: said, never used. */
  stale: { savedAt: number; k: number } | null;
  ranking: ShownRanking | null;
  trajectory: ShownTrajectory | null;
  /** The run the trajectory panel attributes (a finished ZO run). */
  trajectoryRunId: string | null;
  error: UserError | null;
  /** What happened last that is not an error (cancelled, loaded from cache). */
  notice: string | null;
}

export const DEFAULT_INFLUENCE_SETTINGS: InfluenceSettings = { queryKind: 'dev', devRow: 0, prompt: '', answer: '', k: 256, top: 10 };

const SETTINGS_KEY = 'zo-studio-influence-settings';

/** The settings as the user left them (K above all: the cached vectors are found by it). */
function savedSettings(): InfluenceSettings {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(SETTINGS_KEY) ?? '{}') as Partial<InfluenceSettings>;
    const out = { ...DEFAULT_INFLUENCE_SETTINGS };
    for (const key of Object.keys(out) as (keyof InfluenceSettings)[]) if (typeof saved[key] === typeof out[key]) (out as Record<string, unknown>)[key] = saved[key];
    return out;
  } catch {
    return { ...DEFAULT_INFLUENCE_SETTINGS };
  }
}

export function saveSettings(settings: InfluenceSettings): void {
  const { queryKind, devRow, prompt, answer, k, top } = settings;
  try {
    globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify({ queryKind, devRow, prompt, answer, k, top }));
  } catch {
    // Private mode or full storage: the settings simply are not remembered.
  }
}

export const useInfluence = create<InfluenceState>()(() => ({
  ...savedSettings(),
  progress: null,
  vectors: null,
  stale: null,
  ranking: null,
  trajectory: null,
  trajectoryRunId: null,
  error: null,
  notice: null,
}));
