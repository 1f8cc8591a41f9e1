// Endpoint settings for any OpenAI-compatible chat-completions API, and the API key's custody:
// the key lives in memory (KeyVault) unless the user opts in to "remember on this device";
// everything that is persisted or exported uses PublicEndpoint, which has no key field.
import type { KeyValueStore } from './storage';

/** What is safe to store, export and log: no key. */
export interface PublicEndpoint {
  /** e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (Ollama). */
  baseUrl: string;
  model: string;
}

/** What the client needs to call the API: the public part plus the key (may be empty). */
export interface EndpointSettings extends PublicEndpoint {
  apiKey?: string;
}

export function publicEndpoint(e: PublicEndpoint): PublicEndpoint {
  return { baseUrl: e.baseUrl, model: e.model };
}

/** The chat-completions URL for a base URL; the key never goes into a URL. */
export function chatCompletionsUrl(baseUrl: string): string {
  return `${baseUrl.trim().replace(/\/+$/, '')}/chat/completions`;
}

export function endpointOrigin(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}

/** Replaces every occurrence of `secret` in `text` (servers sometimes echo the key in errors). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

/** Every string inside `value` (objects and arrays walked in place) with each key redacted. */
export function redactStrings<T>(value: T, secrets: (string | undefined)[]): T {
  const scrub = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce<string>((s, k) => redact(s, k), v);
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) (v as Record<string, unknown>)[k] = scrub(inner);
    }
    return v;
  };
  return scrub(value) as T;
}

/**
 * Holds API keys per endpoint origin. Keys are in memory only unless `remember` is true, in
 * which case they are written to `deviceStore` (a store of their own, never the job's store).
 */
export class KeyVault {
  private readonly memory = new Map<string, string>();

  constructor(private readonly deviceStore?: KeyValueStore) {}

  private static storeKey(baseUrl: string): string {
    return `api-key:${endpointOrigin(baseUrl)}`;
  }

  async setKey(baseUrl: string, key: string, remember: boolean): Promise<void> {
    this.memory.set(endpointOrigin(baseUrl), key);
    if (!this.deviceStore) return;
    if (remember) await this.deviceStore.set(KeyVault.storeKey(baseUrl), key);
    else await this.deviceStore.del(KeyVault.storeKey(baseUrl));
  }

  /** The key for an endpoint: memory first, then the opted-in device store. */
  async getKey(baseUrl: string): Promise<string | undefined> {
    const inMemory = this.memory.get(endpointOrigin(baseUrl));
    if (inMemory !== undefined) return inMemory;
    const remembered = await this.deviceStore?.get<string>(KeyVault.storeKey(baseUrl));
    if (remembered !== undefined) this.memory.set(endpointOrigin(baseUrl), remembered);
    return remembered;
  }

  async isRemembered(baseUrl: string): Promise<boolean> {
    return (await this.deviceStore?.get<string>(KeyVault.storeKey(baseUrl))) !== undefined;
  }

  async forget(baseUrl: string): Promise<void> {
    this.memory.delete(endpointOrigin(baseUrl));
    await this.deviceStore?.del(KeyVault.storeKey(baseUrl));
  }
}
