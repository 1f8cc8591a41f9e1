#!/usr/bin/env node
// `npm test` runs this first: it stops within seconds, with the one command that fixes it, when
// the machine lacks what the tests need (Chromium for the browser tests; the Vulkan loader and a
// Vulkan driver, SwiftShader's from Chromium when there is no GPU, for WebGPU in Node). Without
// it the same gap surfaces minutes later as a test failure deep in the run.
// Plain JavaScript so it runs before anything is built or type-checked.
import { accessSync, constants, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEBIAN_INSTALL = 'sudo apt-get install -y --no-install-recommends chromium libvulkan1 fonts-dejavu-core';
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const chromium = process.env.ZO_CHROMIUM ?? '/usr/bin/chromium';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasVulkanLoader() {
  if (process.platform !== 'linux') return true; // Dawn ships its own on macOS/Windows
  try {
    return /libvulkan\.so\.1\b/.test(execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }));
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) => existsSync(join(d, 'libvulkan.so.1')));
  }
}

/** Asks Dawn for an adapter the way tests/helpers/setup.ts and src/engine/gpu/nodeProvider.ts do. */
async function dawnAdapter() {
  if (!process.env.VK_ICD_FILENAMES && !process.env.ZO_USE_HARDWARE_GPU && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  if (!process.env.XDG_RUNTIME_DIR) {
    process.env.XDG_RUNTIME_DIR = join(tmpdir(), `zo-studio-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(process.env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  }
  try {
    const webgpu = await import('webgpu');
    const adapter = await webgpu.create([]).requestAdapter();
    return adapter ? null : 'Dawn (WebGPU for Node) found no adapter';
  } catch (e) {
    return `Dawn (WebGPU for Node) did not start: ${e.message}`;
  }
}

const problems = [];
if (!executable(chromium)) problems.push(`Chromium is missing (looked for ${chromium}; set ZO_CHROMIUM to use another): the browser tests run in it`);
if (!hasVulkanLoader()) problems.push('the Vulkan loader (libvulkan.so.1) is missing: WebGPU in Node (Dawn) needs it');
if (process.platform === 'linux' && !process.env.ZO_USE_HARDWARE_GPU && !process.env.VK_ICD_FILENAMES && !existsSync(SWIFTSHADER_ICD)) {
  problems.push(`SwiftShader's Vulkan driver is missing (${SWIFTSHADER_ICD}, from Debian's chromium): without a GPU the tests run on it (set ZO_USE_HARDWARE_GPU=1 to use your GPU's driver instead)`);
}
if (problems.length === 0) {
  const dawn = await dawnAdapter();
  if (dawn) problems.push(dawn);
}

if (problems.length > 0) {
  console.error('npm test cannot run on this machine yet:');
  for (const p of problems) console.error(`  - ${p}`);
  console.error(`\nInstall what is missing (Debian/Ubuntu):\n\n  ${DEBIAN_INSTALL}\n`);
  console.error('On other systems: install Chromium (point ZO_CHROMIUM at it) and a Vulkan driver for your GPU.');
  process.exit(1);
}
process.exit(0);
