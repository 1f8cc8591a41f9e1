// Which Hugging Face architectures the engine runs: the Llama decoder (LlamaForCausalLM) and
// Mistral, which is the same graph (Mistral's sliding window only matters past its length).
import { SUPPORTED_ARCHITECTURES, UnsupportedArchitectureError } from './errors';

const MODEL_TYPES: Record<string, string> = { llama: 'LlamaForCausalLM', mistral: 'MistralForCausalLM' };

/** Returns the architecture name, or throws UnsupportedArchitectureError naming it. */
export function checkArchitecture(config: Record<string, unknown>): string {
  const archs = config.architectures;
  const arch = Array.isArray(archs) && typeof archs[0] === 'string' ? archs[0] : MODEL_TYPES[String(config.model_type)];
  const name = arch ?? `model_type "${String(config.model_type ?? 'unknown')}"`;
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(name)) throw new UnsupportedArchitectureError(name);
  return name;
}
