// From "where the model is" to a CheckpointReader plus the tokenizer and config files, the
// Hugging Face layout (config.json, tokenizer.json, model.safetensors or sharded
// model.safetensors.index.json {weight_map: {tensor: shard}}) or one llama.cpp .gguf file.
// Platform-free: Node folders come in through nodeResolve.ts, dropped files through droppedFiles.
import { readText, type ByteSource } from './byteSource';
import { checkArchitecture } from './architecture';
import { CorruptFileError, DownloadCancelledError, InvalidRepoIdError, MissingFileError } from './errors';
import { hubRepoIdProblem } from './hubRepoId';
import { openGguf } from './gguf/ggufLlama';
import { tokenizerFromGguf } from './gguf/ggufTokenizer';
import type { FileRecord, ModelFiles } from './modelFiles';
import { remoteFiles, type RemoteFiles, type RemoteOptions } from './remoteFiles';
import { openSafetensors, readSafetensorsHeader } from './safetensors';
import type { CheckpointReader } from './types';

export type ModelSpec =
  /** A Hub repository; `file` names a .gguf inside it instead of safetensors. */
  | { kind: 'hub'; repo: string; revision?: string; file?: string }
  /** A folder URL in Hub layout (`.../resolve/main`), or the URL of a .gguf file. */
  | { kind: 'url'; url: string }
  /** Local files (a Node folder, dropped files); `gguf` names the .gguf among them. */
  | { kind: 'files'; files: ModelFiles; gguf?: string };

export type ResolveOptions = RemoteOptions;

type Json = Record<string, unknown>;

export interface ResolvedModel {
  label: string;
  format: 'safetensors' | 'gguf';
  architecture: string;
  /** config.json, or its translation from GGUF metadata. */
  config: Json;
  tokenizerJson: Json;
  tokenizerConfig: Json | null;
  /** Where the tokenizer came from, in words (shown in the CLI's info and the app's summary). */
  tokenizerSource: string;
  specialTokensMap: Json | null;
  generationConfig: Json | null;
  reader: CheckpointReader;
  files: FileRecord[];
  /** The cache entry's key, for remote models loaded through a cache. */
  cacheKey?: string;
}

export async function resolveModel(spec: ModelSpec, opts: ResolveOptions = {}): Promise<ResolvedModel> {
  let files: ModelFiles;
  let gguf: string | undefined;
  if (spec.kind === 'files') {
    files = spec.files;
    gguf = spec.gguf;
  } else if (spec.kind === 'hub') {
    const problem = hubRepoIdProblem(spec.repo);
    if (problem) throw new InvalidRepoIdError(problem);
    files = remoteFiles({ repo: spec.repo, revision: spec.revision }, opts);
    gguf = spec.file;
  } else if (/\.gguf(\?.*)?$/i.test(spec.url)) {
    const cut = spec.url.lastIndexOf('/');
    files = remoteFiles({ url: spec.url.slice(0, cut) }, opts);
    gguf = spec.url.slice(cut + 1);
  } else {
    files = remoteFiles({ url: spec.url }, opts);
  }
  const resolved = await resolveFrom(files, gguf);
  if (opts.signal?.aborted) throw new DownloadCancelledError(files.label);
  const remote = 'finish' in files ? (files as RemoteFiles) : null;
  if (remote && opts.cache) {
    await remote.finish();
    resolved.cacheKey = remote.cacheKey;
  }
  return resolved;
}

async function openJson(files: ModelFiles, name: string, required: string | false): Promise<Json | null> {
  const source = await files.open(name);
  if (!source) {
    if (required === false) return null;
    const remote = files as Partial<RemoteFiles>;
    throw remote.notFound ? remote.notFound(name) : new MissingFileError(files.label, name, required);
  }
  try {
    const value = JSON.parse(await readText(source));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Json;
  } catch (e) {
    throw new CorruptFileError(`${files.label}/${name}`, 'JSON', (e as Error).message);
  } finally {
    await source.close?.();
  }
}

async function required(files: ModelFiles, name: string, hint: string) {
  const source = await files.open(name);
  if (source) return source;
  const remote = files as Partial<RemoteFiles>;
  throw remote.notFound ? remote.notFound(name) : new MissingFileError(files.label, name, hint);
}

async function resolveFrom(files: ModelFiles, gguf: string | undefined): Promise<ResolvedModel> {
  if (!gguf) {
    const listed = (await files.list?.()) ?? [];
    const ggufs = listed.filter((n) => n.toLowerCase().endsWith('.gguf'));
    const hasSafetensors = listed.some((n) => n.endsWith('.safetensors'));
    if (ggufs.length === 1 && !hasSafetensors && !listed.includes('config.json')) gguf = ggufs[0];
  }
  if (!gguf) {
    const config = (await openJson(files, 'config.json', 'A model folder needs config.json, tokenizer.json and model.safetensors (or shards with model.safetensors.index.json); for a GGUF model pick the .gguf file.'))!;
    const architecture = checkArchitecture(config);
    const tokenizer = await tokenizerFiles(files, 'Give the model\'s tokenizer.json (from its Hugging Face repository) in the same folder.');
    const reader = await openSafetensors(config, await safetensorsShards(files));
    return { label: files.label, format: 'safetensors', architecture, config, ...tokenizer, reader, files: files.records() };
  }
  // GGUF: a tokenizer.json beside the file wins (it is the model's own, with every detail the
  // GGUF metadata may have lost); otherwise the tokenizer is rebuilt from tokenizer.ggml.*.
  const beside = await openJson(files, 'tokenizer.json', false);
  const extras = {
    tokenizerConfig: beside ? await openJson(files, 'tokenizer_config.json', false) : null,
    specialTokensMap: await openJson(files, 'special_tokens_map.json', false),
    generationConfig: await openJson(files, 'generation_config.json', false),
  };
  const reader = await openGguf(await required(files, gguf, 'Check the .gguf file name.'));
  let tokenizer: Pick<ResolvedModel, 'tokenizerJson' | 'tokenizerConfig' | 'tokenizerSource'>;
  if (beside) {
    tokenizer = {
      tokenizerJson: beside,
      tokenizerConfig: extras.tokenizerConfig,
      tokenizerSource: `tokenizer.json beside ${gguf} (preferred over the GGUF's own tokenizer metadata)`,
    };
  } else {
    try {
      const built = tokenizerFromGguf(reader.header.metadata, gguf);
      tokenizer = { tokenizerJson: built.tokenizerJson, tokenizerConfig: built.tokenizerConfig, tokenizerSource: built.description };
    } catch (e) {
      await reader.close?.();
      throw e;
    }
  }
  return { label: files.label, format: 'gguf', architecture: checkArchitecture(reader.config), config: reader.config, ...extras, ...tokenizer, reader, files: files.records() };
}

async function tokenizerFiles(files: ModelFiles, hint: string) {
  const tokenizerJson = (await openJson(files, 'tokenizer.json', hint))!;
  return {
    tokenizerJson,
    tokenizerConfig: await openJson(files, 'tokenizer_config.json', false),
    specialTokensMap: await openJson(files, 'special_tokens_map.json', false),
    generationConfig: await openJson(files, 'generation_config.json', false),
    tokenizerSource: 'tokenizer.json',
  };
}

/** The weight files: model.safetensors, or the shards model.safetensors.index.json names. */
async function safetensorsShards(files: ModelFiles): Promise<ByteSource[]> {
  const indexName = 'model.safetensors.index.json';
  // The single file first: it is the common case for models that fit a laptop, and a browser
  // logs every 404 as a console error, so probing for an index that is not there is noise.
  const single = await files.open('model.safetensors');
  if (single) return [single];
  const index = await openJson(files, indexName, false);
  if (!index) {
    return [await required(files, 'model.safetensors', 'Give the weights as model.safetensors, or shards with model.safetensors.index.json, or one .gguf file.')];
  }
  const map = index.weight_map;
  if (typeof map !== 'object' || map === null) throw new CorruptFileError(`${files.label}/${indexName}`, 'safetensors index', 'it has no weight_map');
  const weightMap = Object.entries(map as Record<string, unknown>);
  for (const [tensor, shard] of weightMap) {
    // A shard is a file beside the index: a name, never a path out of the folder.
    if (typeof shard !== 'string' || !shard.endsWith('.safetensors') || shard.split(/[\\/]/).some((part) => part === '..' || part === '')) {
      throw new CorruptFileError(`${files.label}/${indexName}`, 'safetensors index', `weight_map puts tensor ${tensor} in ${JSON.stringify(shard)}, which is not a .safetensors file name beside the index`);
    }
  }
  const sources: ByteSource[] = [];
  for (const shard of new Set(weightMap.map(([, s]) => s as string))) {
    const source = await required(files, shard, `${indexName} lists ${shard}; put every shard next to it.`);
    const header = await readSafetensorsHeader(source);
    for (const [tensor, s] of weightMap) {
      if (s === shard && !header.has(tensor)) throw new CorruptFileError(`${files.label}/${indexName}`, 'safetensors index', `it puts tensor ${tensor} in ${shard}, which does not hold it`);
    }
    sources.push(source);
  }
  return sources;
}
