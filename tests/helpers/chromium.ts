// Debian's Chromium and the flags the browser tests and the browser benchmark launch it with.
// WebGPU comes from SwiftShader's Vulkan driver (CPU) on a machine without a GPU.
export const CHROMIUM_PATH = process.env.ZO_CHROMIUM ?? '/usr/bin/chromium';
export const QUIET_FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader', '--disable-vulkan-surface'];
