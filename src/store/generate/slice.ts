// The "Try the model" box's own small store: the sampling settings the user typed and the one
// request in flight (or the last one finished). Changed only by ./actions.ts.
import { create } from 'zustand';
import type { UserError } from '../userError';

export interface GenerateSettings {
  prompt: string;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

export interface GenerateState extends GenerateSettings {
  status: 'idle' | 'running' | 'done' | 'error';
  /** The request whose tokens are being shown; events for any other request are ignored. */
  requestId: string | null;
  /** The prompt the shown output continues (the textarea may have changed since). */
  shownPrompt: string;
  /** The continuation so far: appended token by token, replaced by the full text at the end. */
  output: string;
  tokens: number;
  finish: 'stop' | 'length' | null;
  /** Which weights produced the output, as shown when the request started. */
  weights: string;
  error: UserError | null;
}

export const DEFAULT_GENERATE_SETTINGS: GenerateSettings = {
  prompt: 'Define "dog":',
  maxNewTokens: 24,
  temperature: 0.7,
  topP: 0.95,
  seed: 0,
};

export const useGenerate = create<GenerateState>()(() => ({
  ...DEFAULT_GENERATE_SETTINGS,
  status: 'idle',
  requestId: null,
  shownPrompt: '',
  output: '',
  tokens: 0,
  finish: null,
  weights: '',
  error: null,
}));
