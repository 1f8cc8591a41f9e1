// Paths to ../shared (demo model and demo tasks) for the data-layer tests, from this file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenizerFromJson, type Tokenizer } from '../../src/engine/data/tokenizer';

export const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const DEMO_MODEL = resolve(SHARED, 'demo-model');
export const DEMO_DATA = resolve(SHARED, 'demo-data');
export const DEMO_TASKS = ['wn-animal-plant', 'wn-topic4', 'wn-define-pref'];

export const readText = (path: string): string => readFileSync(path, 'utf8');
export const readJson = (path: string): Record<string, unknown> => JSON.parse(readText(path)) as Record<string, unknown>;

export function demoTokenizer(): Promise<Tokenizer> {
  return tokenizerFromJson(readJson(resolve(DEMO_MODEL, 'tokenizer.json')), readJson(resolve(DEMO_MODEL, 'tokenizer_config.json')));
}
