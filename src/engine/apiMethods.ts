// The engine's methods declared once (ENGINE_METHODS): how each EngineApi call travels as a worker
// request. src/worker/protocol.ts derives its message types from it, the handler dispatches with
// argsOf and the client builds every method with payloadOf, so a new engine method is its
// EngineApi signature plus one line here.
import type { EngineApi, EngineMethod } from './api';

/**
 * The engine's methods, declared once: for each, how a worker request's payload carries its
 * arguments, either a list of field names (payload = {name: argument}, undefined ones left out)
 * or 'payload' (the payload is the one argument; no arguments: payload null). The worker protocol
 * (src/worker/protocol.ts), its handler and its client all follow from this table.
 */
export const ENGINE_METHODS = {
  adapterReport: [],
  estimateMemory: 'payload',
  loadModel: 'payload',
  setTask: 'payload',
  evaluate: ['split', 'limit'],
  train: ['runId', 'config', 'resumeFrom', 'maxSteps'],
  pause: ['runId'],
  stop: ['runId'],
  runRecord: ['runId'],
  exportWeights: ['runId'],
  lossAlongDirection: ['direction', 'span', 'points'],
  learnBlockScales: ['config'],
  memory: [],
  generate: 'payload',
  influenceKey: ['config'],
  influenceVectors: 'payload',
  importInfluenceVectors: ['bytes', 'config'],
  influenceRank: 'payload',
  influenceTrajectory: 'payload',
  cancelInfluence: ['requestId'],
} as const satisfies { [M in EngineMethod]: 'payload' | readonly string[] };

type ArgsObject<Names extends readonly string[], Args extends readonly unknown[]> = {
  [I in keyof Names & `${number}` as Names[I] & string]: I extends keyof Args ? Args[I] : never;
};
/** What a request for method M carries (derived from ENGINE_METHODS and EngineApi). */
export type EngineParams<M extends EngineMethod> = (typeof ENGINE_METHODS)[M] extends 'payload'
  ? Parameters<EngineApi[M]>[0]
  : (typeof ENGINE_METHODS)[M] extends readonly []
    ? null
    : (typeof ENGINE_METHODS)[M] extends readonly string[]
      ? ArgsObject<(typeof ENGINE_METHODS)[M], Parameters<EngineApi[M]>>
      : never;
/** What a response to method M carries. */
export type EngineResult<M extends EngineMethod> = Awaited<ReturnType<EngineApi[M]>> extends void ? null : Awaited<ReturnType<EngineApi[M]>>;

/** The arguments of a call as the payload of its request. */
export function payloadOf<M extends EngineMethod>(method: M, args: readonly unknown[]): EngineParams<M> {
  const spec = ENGINE_METHODS[method] as 'payload' | readonly string[];
  if (spec === 'payload') return args[0] as EngineParams<M>;
  if (spec.length === 0) return null as EngineParams<M>;
  return Object.fromEntries(spec.map((name, i) => [name, args[i]]).filter(([, v]) => v !== undefined)) as EngineParams<M>;
}

/** The payload of a request as the arguments of its call. */
export function argsOf<M extends EngineMethod>(method: M, payload: unknown): unknown[] {
  const spec = ENGINE_METHODS[method] as 'payload' | readonly string[];
  if (spec === 'payload') return [payload];
  const fields = (payload ?? {}) as Record<string, unknown>;
  return spec.map((name) => fields[name]);
}

