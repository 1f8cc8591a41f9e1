// The trained weights of a run in the format of its mode (PEFT adapter, sparse deltas, full).
import type { GpuContext } from '../engine/gpu/context';
import type { RunHandle, Session } from '../engine/session/session';
import { exportFull, exportLoraPeft, exportSparse, type ExportedFile } from '../engine/training/exports';
import type { LoraTrainable } from '../engine/training/loraMode';
import type { SparseTrainable } from '../engine/training/sparseMode';

export async function exportRun(ctx: GpuContext, session: Session, run: RunHandle): Promise<ExportedFile[]> {
  const model = session.requireModel();
  if (run.trainable.mode === 'lora') return exportLoraPeft(ctx, run.trainable as LoraTrainable, model.summary.name);
  if (run.trainable.mode === 'sparse') return exportSparse(ctx, run.trainable as SparseTrainable, model.summary.name);
  const shapes = new Map([...model.resolved.reader.tensors].map(([name, info]) => [name, info.shape]));
  return exportFull(ctx, run.trainable, shapes);
}
