// Tests run on whatever adapter Dawn finds; on a machine without a GPU that is SwiftShader.
// A missing adapter fails the tests (it is never a skip): see tests/helpers/gpu.ts.
import { existsSync } from 'node:fs';

if (!process.env.VK_ICD_FILENAMES && !process.env.ZO_USE_HARDWARE_GPU && existsSync('/usr/lib/chromium/vk_swiftshader_icd.json')) {
  process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
}
