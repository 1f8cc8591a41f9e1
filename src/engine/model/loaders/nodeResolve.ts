// Node-only entry for the CLI: `--model` as a folder, a .gguf path, a URL or a Hub repo id
// (`owner/name`), with the token from HF_TOKEN and the folder cache by default.
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { nodeFolder } from './nodeFileSource';
import { nodeFolderCache } from './nodeFolderCache';
import { resolveModel, type ModelSpec, type ResolveOptions, type ResolvedModel } from './resolveModel';

export interface NodeResolveOptions extends ResolveOptions {
  revision?: string;
}

/** Turns a `--model` argument into a ModelSpec: an existing path wins over a repo id. */
export async function parseModelArg(arg: string, revision?: string): Promise<ModelSpec> {
  if (/^https?:\/\//i.test(arg)) return { kind: 'url', url: arg };
  const path = resolve(arg);
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) return { kind: 'files', files: nodeFolder(path) };
  if (info?.isFile()) {
    if (!arg.toLowerCase().endsWith('.gguf')) throw new Error(`${arg} is a file but not a .gguf; give a model folder, a .gguf file, a URL or a Hub repo id`);
    return { kind: 'files', files: nodeFolder(dirname(path)), gguf: basename(path) };
  }
  const hubGguf = /^([\w.-]+\/[\w.-]+)\/(.+\.gguf)$/i.exec(arg);
  if (hubGguf) return { kind: 'hub', repo: hubGguf[1], revision, file: hubGguf[2] };
  if (/^[\w.-]+\/[\w.-]+$/.test(arg)) return { kind: 'hub', repo: arg, revision };
  throw new Error(`${arg} is not a folder, a .gguf file, a URL or a Hub repo id (owner/name)`);
}

export async function resolveModelNode(arg: string, opts: NodeResolveOptions = {}): Promise<ResolvedModel> {
  const spec = await parseModelArg(arg, opts.revision);
  return resolveModel(spec, {
    ...opts,
    token: opts.token ?? process.env.HF_TOKEN,
    cache: opts.cache === undefined ? nodeFolderCache() : opts.cache,
  });
}
