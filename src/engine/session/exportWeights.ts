// A run's trained weights in its mode's format: PEFT adapter (LoRA), sparse deltas, or the
// full model's tensors as model.safetensors. Shared by the worker engine and the CLI.
import type { Backend } from '../gpu/backend';
import { exportFull, exportLoraPeft, exportSparse, type ExportedFile } from '../training/exports';
import type { LoraTrainable } from '../training/loraMode';
import type { SparseTrainable } from '../training/sparseMode';
import type { Session } from './session';
import type { Run } from './run';

export async function exportRunWeights(ctx: Backend, session: Session, run: Run): Promise<ExportedFile[]> {
  const model = session.requireModel();
  if (run.trainable.mode === 'lora') return exportLoraPeft(ctx, run.trainable as LoraTrainable, model.summary.name);
  if (run.trainable.mode === 'sparse') return exportSparse(ctx, run.trainable as SparseTrainable, model.summary.name);
  const shapes = new Map([...model.resolved.reader.tensors].map(([name, info]) => [name, info.shape]));
  return exportFull(ctx, run.trainable, shapes);
}
