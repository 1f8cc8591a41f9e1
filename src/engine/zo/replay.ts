// Replay a run record (src/engine/zo/record.ts): re-apply every step's perturbations and updates
// from the recorded seeds' z and projected gradients, with no forward pass (MeZO, Malladi et al.
// 2023, Sec. 2). The perturb/restore sequence is replayed too, because theta + eps z - 2 eps z +
// eps z is not exactly theta in f32; with it, replay reproduces trained weights bit for bit on the
// adapter that trained them (GPU), and on the CPU for CPU runs. Optimizer state restarts at zero
// and is rebuilt by the same updates. The learning rate is lrAt(hyper, step), as in training.
import type { Backend } from '../gpu/backend';
import { ZoCpuPlan } from '../cpu/zoPlan';
import type { CpuParamRange } from '../cpu/zo';
import type { ZoRunRecord } from './record';
import { ZoStepPlan, type ParamRange } from './stepPlan';

/** Apply `record` to `ranges` (starting from the weights the run started from) on the GPU. */
export async function replayGpu(ctx: Backend, ranges: ParamRange[], record: ZoRunRecord, plan?: ZoStepPlan): Promise<void> {
  const p = plan ?? new ZoStepPlan(ctx, ranges, record.header.hyper);
  p.resetState();
  for (const s of record.steps) {
    p.setStep(s.step);
    p.loadRecorded(s.values);
    ctx.submit((pass) => p.encodeReplayStep(pass), 'zo-replay');
  }
  await ctx.finish();
  if (!plan) p.destroy();
}

/** Apply `record` to CPU ranges. Returns the plan (its state holds the rebuilt optimizer state). */
export function replayCpu(ranges: CpuParamRange[], record: ZoRunRecord): ZoCpuPlan {
  const plan = new ZoCpuPlan(ranges, record.header.hyper);
  for (const s of record.steps) plan.replayStep(s.step, s.values);
  return plan;
}
