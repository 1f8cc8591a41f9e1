// One home for the defaults, presets and option lists of a run (GPU-free: the app's main bundle,
// the CLI and the engine all read it).
export * from './options';
export * from './defaults';
export * from './presets';
