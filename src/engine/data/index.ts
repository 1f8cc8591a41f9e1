// The data layer's public surface: tasks, validation, templates, tokenizer, encoding, batching.
export type { ChatMessage, ParsedTask, Task, TaskProblem, TaskRow, TaskSpec, TaskType } from './task';
export { tokenizerFromJson, TokenizerError } from './tokenizer';
export type { ChatTemplateOptions, DecodeOptions, EncodeOptions, Tokenizer } from './tokenizer';
export { parseTemplate, renderTemplate, templateFields, TemplateError } from './template';
export type { TemplatePart } from './template';
export { csvToRows, parseCsvRecords } from './csv';
export type { CsvRecord } from './csv';
export { requiredFields, resolveLabel, TaskSpecError, validateRow, validateSpec } from './validate';
export { buildTask, loadTaskFromFiles, parseJsonl, parseTask, validateRows } from './parse';
export type { SplitSource } from './parse';
export { answerText, continuationIds, encodeClassification, encodeLm, encodePreference, promptText } from './encode';
export type { EncodedClassification, EncodedLm, EncodedPreference, EncodeLmOptions } from './encode';
export { analyzeCandidates } from './candidates';
export type { CandidateReport } from './candidates';
export { BatchSampler, epochPermutation, padBatch, Xoshiro128 } from './sampler';
export type { PaddedBatch, SamplerOptions, SamplerState } from './sampler';
export { BUILTIN_TASKS, DEFAULT_TASK, loadBuiltinTask } from './registry';
export type { BuiltinTask, FetchText } from './registry';
