// `zo-studio info`: what the model is and what the adapter can do.
import { parseArgs } from '../args';
import type { CliIo } from '../io';
import { openCliModel } from '../openModel';
import { acquireCliBackend } from '../gpu';
import { parameterCount } from '../../engine/model/config';
import { formatBytes } from '../../engine/gpu/errors';

export async function infoCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const ctx = await acquireCliBackend(io, args);
  const model = await openCliModel(args, io);
  const c = model.config;
  const report = {
    model: model.label,
    architecture: c.architecture,
    parameters: parameterCount(c),
    layers: c.layers,
    hidden: c.hidden,
    intermediate: c.intermediate,
    heads: c.heads,
    kvHeads: c.kvHeads,
    headDim: c.headDim,
    vocab: c.vocabSize,
    ropeTheta: c.rope.ropeTheta,
    tiedEmbeddings: c.tieWordEmbeddings,
    tokenizer: model.resolved.tokenizerSource,
    adapter: ctx.adapter,
    features: ctx.features,
    limits: ctx.limits,
  };
  await model.close();
  if (args.flags.has('json')) {
    io.stdout(JSON.stringify(report));
    return 0;
  }
  io.stdout(`model         ${report.model}`);
  io.stdout(`architecture  ${c.architecture}: ${c.layers} layers, hidden ${c.hidden}, MLP ${c.intermediate}, ${c.heads} heads (${c.kvHeads} KV) of ${c.headDim}, vocab ${c.vocabSize}`);
  io.stdout(`parameters    ${report.parameters.toLocaleString('en-US')}`);
  io.stdout(`tokenizer     ${report.tokenizer}`);
  io.stdout(`adapter       ${ctx.adapter.description || ctx.adapter.device || ctx.adapter.vendor}${ctx.adapter.isSoftware ? ' (software emulation)' : ''}`);
  io.stdout(`features      shader-f16 ${ctx.features.f16 ? 'yes' : 'no'}, subgroups ${ctx.features.subgroups ? 'yes' : 'no'}, timestamp-query ${ctx.features.timestampQuery ? 'yes' : 'no'}`);
  io.stdout(`limits        max buffer ${formatBytes(ctx.limits.maxBufferSize)}, max storage binding ${formatBytes(ctx.limits.maxStorageBufferBindingSize)}, workgroup storage ${formatBytes(ctx.limits.maxComputeWorkgroupStorageSize)}`);
  return 0;
}
