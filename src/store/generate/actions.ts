// "Try the model" actions, outside React: one request at a time through the worker client,
// streaming the 'generated-token' events straight into the box's store (not through the
// batched engine bridge, so each token shows as it arrives).
import type { GenerateRequest } from '../../engine/api';
import { engine, hasEngine } from '../engineBridge';
import { getState as studio, type StudioState } from '../state';
import { userError } from '../userError';
import { useGenerate, type GenerateSettings } from './slice';

const set = useGenerate.setState;
const get = useGenerate.getState;
let counter = 0;

export function setGenerateField<K extends keyof GenerateSettings>(key: K, value: GenerateSettings[K]): void {
  set({ [key]: value } as Pick<GenerateSettings, K>);
}

/** Why the box cannot generate now, or null when it can. */
export function generateBlocker(s: Pick<StudioState, 'engineStatus' | 'deviceLost' | 'modelStatus' | 'activeRunId' | 'runs' | 'evaluating'>): string | null {
  if (s.engineStatus !== 'ready' || s.deviceLost) return 'The engine is not ready.';
  if (s.modelStatus === 'loading') return 'The model is loading…';
  if (s.modelStatus !== 'ready') return 'Load a model first (Model panel): the box samples from the loaded weights.';
  const active = s.activeRunId ? s.runs[s.activeRunId] : undefined;
  if (active?.meta.state === 'running') return 'A run is training: pause or stop it to try the model (generation shares the GPU with training).';
  if (s.evaluating) return 'Wait for the evaluation to finish.';
  return null;
}

/** Which weights the engine samples from: the run it holds (its adapters, deltas or updated
 *  weights) or the base model. */
export function currentWeights(s: Pick<StudioState, 'summary' | 'runs' | 'heldRunId'>): string {
  const name = s.summary?.name.replace(/\/+$/, '').split('/').pop();
  const base = name ? `base model (${name})` : 'base model';
  const held = s.heldRunId ? s.runs[s.heldRunId] : undefined;
  if (!held || held.steps.step.length === 0) return base;
  const done = held.steps.step[held.steps.step.length - 1];
  return `trained weights of run ${held.meta.name || held.meta.id} (${held.meta.config.mode}, step ${done})`;
}

export async function generateNow(): Promise<void> {
  const s = studio();
  const g = get();
  const blocker = generateBlocker(s);
  if (g.status === 'running' || blocker || !hasEngine()) {
    if (blocker) set({ status: 'error', error: { kind: 'blocked', message: blocker } });
    return;
  }
  const requestId = `gen-${Date.now().toString(36)}-${++counter}`;
  const request: GenerateRequest = {
    requestId,
    prompts: [g.prompt],
    maxNewTokens: g.maxNewTokens,
    temperature: g.temperature,
    topK: 0,
    topP: g.topP,
    seed: g.seed,
    chat: false,
  };
  set({ status: 'running', requestId, shownPrompt: g.prompt, output: '', tokens: 0, finish: null, error: null, weights: currentWeights(s) });
  const client = engine();
  const off = client.subscribe((event) => {
    if (event.kind !== 'generated-token' || event.requestId !== requestId || event.sequence !== 0) return;
    const now = get();
    if (now.requestId !== requestId) return;
    set({ output: now.output + event.text, tokens: now.tokens + 1 });
  });
  try {
    const result = await client.generate(request);
    if (get().requestId === requestId) set({ status: 'done', output: result.texts[0] ?? get().output, finish: result.finish[0] ?? null });
  } catch (error) {
    if (get().requestId === requestId) set({ status: 'error', error: userError(error) });
  } finally {
    off();
  }
}

export function clearOutput(): void {
  if (get().status === 'running') return;
  set({ status: 'idle', requestId: null, output: '', shownPrompt: '', tokens: 0, finish: null, error: null, weights: '' });
}
