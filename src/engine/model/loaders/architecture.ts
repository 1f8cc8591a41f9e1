// Which Hugging Face architectures the engine runs: the Llama decoder (LlamaForCausalLM),
// Mistral, the same graph with a sliding window (the attention kernels' window), and
// Qwen2 (Qwen2 and Qwen2.5), the same graph with biases on the q/k/v projections.
import { SUPPORTED_ARCHITECTURES, UnsupportedArchitectureError } from './errors';

const MODEL_TYPES: Record<string, string> = { llama: 'LlamaForCausalLM', mistral: 'MistralForCausalLM', qwen2: 'Qwen2ForCausalLM' };

/** Returns the architecture name, or throws UnsupportedArchitectureError naming it. */
export function checkArchitecture(config: Record<string, unknown>): string {
  const archs = config.architectures;
  const arch = Array.isArray(archs) && typeof archs[0] === 'string' ? archs[0] : MODEL_TYPES[String(config.model_type)];
  const name = arch ?? `model_type "${String(config.model_type ?? 'unknown')}"`;
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(name)) throw new UnsupportedArchitectureError(name);
  return name;
}
