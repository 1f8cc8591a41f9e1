// The model panel's state: the engine's status and adapter, where the model comes from, its
// precision and sequence length, the load and its memory. Changed by ./actions.ts.
import type { AdapterReport, LoadProgress, MemoryEstimate, ModelSummary, WeightPrecision } from '../../engine/api';
import type { LedgerSnapshot } from '../../engine/gpu/ledger';
import { DEFAULT_PRECISION } from '../../engine/config';
import { BACKEND_CHOICES, type BackendChoice } from '../../engine/config/options';
import { DEFAULT_MAX_SEQ_LEN } from '../defaults';
import type { UserError } from '../userError';

export type EngineStatus = 'checking' | 'starting' | 'ready' | 'no-webgpu' | 'failed';

/** Where the backend choice is kept between visits. */
export const BACKEND_KEY = 'zo-studio.backend';

/** The saved backend choice ('auto' when none was saved or it is not a choice any more). */
export function savedBackendChoice(): BackendChoice {
  try {
    const saved = globalThis.localStorage?.getItem(BACKEND_KEY);
    return (BACKEND_CHOICES as readonly string[]).includes(saved ?? '') ? (saved as BackendChoice) : 'auto';
  } catch {
    return 'auto';
  }
}

export interface ModelSlice {
  engineStatus: EngineStatus;
  /** Where the kernels run: 'auto' (WebGPU when there is an adapter, else CPU), or one of them. */
  backendChoice: BackendChoice;
  engineError: UserError | null;
  adapter: AdapterReport | null;
  sourceKind: 'demo' | 'hub' | 'files';
  hubRepo: string;
  hubRevision: string;
  /** Kept in memory only: never saved, never put in a URL. */
  hubToken: string;
  files: File[];
  precision: WeightPrecision;
  maxSeqLen: number;
  estimate: MemoryEstimate | null;
  estimateError: UserError | null;
  modelStatus: 'idle' | 'loading' | 'ready' | 'error';
  progress: LoadProgress | null;
  summary: ModelSummary | null;
  modelError: UserError | null;
  memory: { ledger: LedgerSnapshot; inferenceBaseline: number } | null;
}

export const initialModel: ModelSlice = {
  engineStatus: 'checking',
  backendChoice: savedBackendChoice(),
  engineError: null,
  adapter: null,
  sourceKind: 'demo',
  hubRepo: '',
  hubRevision: 'main',
  hubToken: '',
  files: [],
  precision: DEFAULT_PRECISION,
  maxSeqLen: DEFAULT_MAX_SEQ_LEN,
  estimate: null,
  estimateError: null,
  modelStatus: 'idle',
  progress: null,
  summary: null,
  modelError: null,
  memory: null,
};
