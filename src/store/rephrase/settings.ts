// OAT-Rephrase endpoint settings and key custody, outside React. The public settings (URLs,
// models, templates, job knobs) are kept in localStorage; the API keys live in this store's
// memory and, only with "remember on this device", in KeyVault's own IndexedDB database.
import { KeyVault, createIdbStore, testConnection } from '../../rephrase';
import { DEFAULT_REPHRASE_SETTINGS, getRephrase, setRephrase, type ConnectionState, type RephraseSettings } from './slice';

const SETTINGS_KEY = 'zo-studio-rephrase-settings';
let vault: KeyVault | null = null;
export const keys = (): KeyVault => (vault ??= new KeyVault(typeof indexedDB !== 'undefined' ? createIdbStore('zo-studio-keys', 'keys') : undefined));

/** Restores the public settings and, when the user opted in, the remembered keys. */
export async function initRephrase(): Promise<void> {
  let saved: Partial<RephraseSettings> = {};
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<RephraseSettings>;
  } catch {
    saved = {};
  }
  const settings: RephraseSettings = { ...DEFAULT_REPHRASE_SETTINGS, ...saved, apiKey: '', judgeApiKey: '' };
  setRephrase({ settings });
  if (settings.remember) {
    const apiKey = (await keys().getKey(settings.baseUrl)) ?? '';
    const judgeApiKey = settings.judgeBaseUrl ? ((await keys().getKey(settings.judgeBaseUrl)) ?? '') : '';
    setRephrase({ settings: { ...getRephrase().settings, apiKey, judgeApiKey } });
  }
}

export function savePublicSettings(settings: RephraseSettings): void {
  const { apiKey: _k, judgeApiKey: _j, ...rest } = settings;
  void _k;
  void _j;
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(rest));
  } catch {
    // Private mode or full storage: the settings simply are not remembered.
  }
}

export function setSetting<K extends keyof RephraseSettings>(key: K, value: RephraseSettings[K]): void {
  const settings = { ...getRephrase().settings, [key]: value };
  const patch: Partial<ReturnType<typeof getRephrase>> = { settings };
  if (key === 'baseUrl' || key === 'model' || key === 'apiKey') patch.connection = { state: 'idle' };
  if (key.startsWith('judge')) patch.judgeConnection = { state: 'idle' };
  setRephrase(patch);
  savePublicSettings(settings);
  if (key === 'remember' || (settings.remember && (key === 'apiKey' || key === 'judgeApiKey'))) void storeKeys(settings);
}

/** Keys into KeyVault: written to the device store only when `remember` is ticked, else removed. */
export async function storeKeys(s: RephraseSettings): Promise<void> {
  if (s.baseUrl.trim()) {
    if (s.apiKey) await keys().setKey(s.baseUrl, s.apiKey, s.remember);
    else await keys().forget(s.baseUrl);
  }
  const judgeUrl = s.judgeBaseUrl.trim();
  if (judgeUrl && judgeUrl !== s.baseUrl.trim()) {
    if (s.judgeApiKey) await keys().setKey(judgeUrl, s.judgeApiKey, s.remember);
    else if (!s.remember) await keys().forget(judgeUrl);
  }
}

export const judgeKey = (s: RephraseSettings): string | undefined => (s.judgeBaseUrl.trim() && s.judgeApiKey ? s.judgeApiKey : undefined);

/** One short request to the rewriter's endpoint (and the judge's, when it differs). */
export async function testEndpoints(): Promise<void> {
  const s = getRephrase().settings;
  if (!s.baseUrl.trim() || !s.model.trim()) {
    setRephrase({ connection: { state: 'error', kind: 'settings', message: 'Enter a base URL and a model name first.', target: s.baseUrl } });
    return;
  }
  const separateJudge = (s.judgeBaseUrl.trim() && s.judgeBaseUrl.trim() !== s.baseUrl.trim()) || (s.judgeModel.trim() && s.judgeModel.trim() !== s.model.trim());
  setRephrase({ connection: { state: 'testing' }, judgeConnection: separateJudge ? { state: 'testing' } : { state: 'idle' } });
  await storeKeys(s);
  const rewriter = await probe(s.baseUrl.trim(), s.model.trim(), s.apiKey);
  setRephrase({ connection: rewriter });
  if (separateJudge) {
    const url = s.judgeBaseUrl.trim() || s.baseUrl.trim();
    setRephrase({ judgeConnection: await probe(url, s.judgeModel.trim() || s.model.trim(), judgeKey(s) ?? s.apiKey) });
  }
}

async function probe(baseUrl: string, model: string, apiKey: string): Promise<ConnectionState> {
  const target = `${model} at ${baseUrl}`;
  const result = await testConnection({ baseUrl, model, apiKey: apiKey || undefined });
  return result.ok ? { state: 'ok', latencyMs: result.latencyMs, reply: result.reply, target } : { state: 'error', kind: result.error.kind, message: result.error.message, target };
}

