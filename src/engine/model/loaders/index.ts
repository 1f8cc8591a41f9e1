// The loaders' platform-free surface (safe for browser bundles and the Worker). Node-only
// pieces live in nodeFileSource.ts, nodeFolderCache.ts and nodeResolve.ts; browser-only ones
// in browserCache.browser.ts; import those directly.
export type { ByteSource } from './byteSource';
export { blobSource, bytesSource, readText } from './byteSource';
export type { CheckpointReader, StoredDtype, TensorInfo } from './types';
export * from './errors';
export { checkArchitecture } from './architecture';
export { DEFAULT_HUB_ENDPOINT, hubFileUrl, openHttpSource, type HttpOptions } from './httpSource';
export { droppedFiles, type FileRecord, type ModelFiles } from './modelFiles';
export { ModelCache, type CacheBackend, type CachedModel, type CacheWriter } from './modelCache';
export { FileProgress, type ProgressListener } from './progress';
export { remoteFiles, type RemoteOptions } from './remoteFiles';
export { resolveModel, type ModelSpec, type ResolveOptions, type ResolvedModel } from './resolveModel';
export { openSafetensors, readSafetensorsHeader } from './safetensors';
export { openGguf, hfTensorName, ggufToHfConfig } from './gguf/ggufLlama';
export { readGgufHeader, type GgufHeader, type GgufValue } from './gguf/ggufFile';
export { assertFits, checkFits, estimateModelMemory, matrixBytes, modelShape, type AdapterLimits, type FitReport, type MemoryEstimate } from './memoryEstimate';
