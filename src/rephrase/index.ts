// OAT-Rephrase's public surface for the UI panel and the CLI (browser-safe: the Node file
// store is imported from ./fileStore directly by the CLI).
export { RephraseJob } from './job';
export type { JobMeta, JobProgress, JobStatus, RephraseEvent, RephraseJobOptions } from './job';
export { REPHRASE_DEFAULTS, resolveConfig } from './config';
export type { RephraseConfig, RephraseConfigInput, RephraseMode } from './config';
export { ChatClient, testConnection } from './client';
export type { ChatMessage, ChatOptions, ChatResult, ClientOptions, ConnectionResult, Usage } from './client';
export { KeyVault, chatCompletionsUrl, publicEndpoint, redact } from './endpoint';
export type { EndpointSettings, PublicEndpoint } from './endpoint';
export { EndpointError, corsMessage } from './errors';
export type { EndpointErrorKind } from './errors';
export { DEFAULT_JUDGE_TEMPLATE, DEFAULT_REWRITER_TEMPLATE, renderTemplate, unknownVariables } from './prompts';
export type { PromptVariables } from './prompts';
export { MalformedOutput, parseRewrite, parseVerdict } from './parse';
export { buildRephrasedTask, decision, gateStats } from './gate';
export type { Decision, GateStats } from './gate';
export type { RowRecord, RowStatus } from './rows';
export { sideBySide, wordDiff } from './diff';
export type { DiffPart } from './diff';
export { exportReviewJsonl, exportTaskFiles, importTaskFiles, toJsonl } from './taskFiles';
export { abRunConfigs } from './ab';
export type { AbRun } from './ab';
export { MemoryStore, namespaced } from './storage';
export type { KeyValueStore } from './storage';
export { createIdbStore } from './idbStore';
