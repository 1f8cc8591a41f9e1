// Learned block variances in the app: learn once per model and tuning mode (the engine probes
// each block on the task's first train batch), keep the profile in IndexedDB, and switch it on
// for any run of that model and mode, whatever the task.
import type { BlockScaleProfile, TrainConfig } from '../../engine/api';
import { blockScalesOf } from '../../engine/training/blockScales';
import { engine, hasEngine } from '../engineBridge';
import { loadBlockProfiles, saveBlockProfile } from '../persistence';
import { getState, setState } from '../state';
import { userError } from '../userError';
import { completeConfig, ensureReady, setConfig } from './actions';

/** What a profile is valid for: the model and the exact set of tensors the mode trains. */
export function profileKey(model: string | undefined, c: TrainConfig): string | null {
  if (!model) return null;
  const detail = c.mode === 'full' ? c.full ?? {} : c.mode === 'lora' ? { targets: c.lora?.targets, rank: c.lora?.rank } : { fraction: c.sparse?.fraction, score: c.sparse?.score };
  return `${model}|${c.mode}|${JSON.stringify(detail)}`;
}

export function currentProfile(): BlockScaleProfile | null {
  const s = getState();
  const key = profileKey(s.summary?.name, s.config);
  return key ? (s.blockProfiles[key] ?? null) : null;
}

export async function restoreBlockProfiles(): Promise<void> {
  try {
    setState({ blockProfiles: { ...(await loadBlockProfiles()), ...getState().blockProfiles } });
  } catch {
    // Saved profiles are a convenience: without IndexedDB the app learns them again.
  }
}

export async function learnBlockScales(): Promise<void> {
  setState({ scalesError: null });
  if (!hasEngine() || !(await ensureReady())) return;
  const s = getState();
  const config = completeConfig({ ...s.config, blockScales: undefined });
  const key = profileKey(s.summary?.name, config);
  if (!key) return;
  setState({ learningScales: true });
  // The engine ends its current run to probe (and says so, 'run-held'): a paused run continues from its record afterwards.
  try {
    const profile = await engine().learnBlockScales(config);
    setState({ blockProfiles: { ...getState().blockProfiles, [key]: profile }, learningScales: false });
    setConfig({ blockScales: blockScalesOf(profile) });
    await saveBlockProfile(key, profile).catch(() => undefined);
  } catch (error) {
    setState({ learningScales: false, scalesError: userError(error) });
  }
}

export function toggleBlockScales(on: boolean): void {
  const profile = currentProfile();
  setConfig({ blockScales: on && profile ? blockScalesOf(profile) : undefined });
}
