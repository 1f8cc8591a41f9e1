// The WebGPU backend's kernel factory: each family's wrapper of gpu/kernels, bound to one device.
import type { KernelFactory } from './backend';
import type { WebGpu } from './webgpu';
import { MatmulKernel } from './kernels/matmul';
import { RmsNormKernel } from './kernels/rmsnorm';
import { RopeKernel } from './kernels/rope';
import { BiasKernel } from './kernels/bias';
import { SwigluKernel } from './kernels/swiglu';
import { EmbeddingKernel } from './kernels/embedding';
import { AttentionKernel } from './kernels/attention';
import { DecodeAttentionKernel, KvAppendKernel } from './kernels/attentionDecode';
import { GatherRowsKernel, LogProbKernel } from './kernels/logprob';
import { LossKernel } from './kernels/loss';
import { LoraKernel } from './kernels/lora';
import { SparseDeltaKernel } from './kernels/sparseDelta';
import { ColumnNormsKernel } from './kernels/columnNorms';
import { ZoProbeKernel } from './kernels/zoProbe';
import { ZoMixedKernel } from './kernels/zoMixed';
import { ZoGradKernel, ZoPerturbKernel, ZoStepUniform, ZoUpdateKernel, rangeUniform } from './kernels/zo';

export function webGpuKernels(ctx: WebGpu): KernelFactory {
  return {
    matmul: (o) => new MatmulKernel(ctx, o),
    rmsnorm: (o) => new RmsNormKernel(ctx, o),
    rope: (o) => new RopeKernel(ctx, o),
    bias: (o) => new BiasKernel(ctx, o),
    swiglu: (o) => new SwigluKernel(ctx, o),
    embedding: (o) => new EmbeddingKernel(ctx, o),
    attention: (o) => new AttentionKernel(ctx, o),
    kvAppend: (o) => new KvAppendKernel(ctx, o),
    decodeAttention: (o) => new DecodeAttentionKernel(ctx, o),
    gatherRows: (o) => new GatherRowsKernel(ctx, o),
    logprob: (o) => new LogProbKernel(ctx, o),
    loss: (logprobs, limits, extra) => new LossKernel(ctx, logprobs, limits, extra),
    lora: (o) => new LoraKernel(ctx, o),
    sparseDelta: (o) => new SparseDeltaKernel(ctx, o),
    columnNorms: (x, inDim, maxRows, label) => new ColumnNormsKernel(ctx, x, inDim, maxRows, label),
    zoProbe: (range, snapshot) => new ZoProbeKernel(ctx, range, snapshot),
    zoMixed: (ranges) => new ZoMixedKernel(ctx, ranges),
    zoStepParams: () => new ZoStepUniform(ctx),
    zoRangeParams: (r) => rangeUniform(ctx, r),
    zoPerturb: (range, rangeParams, step, j, coef) => new ZoPerturbKernel(ctx, range, rangeParams, step, j, coef),
    zoUpdate: (range, rangeParams, step, spec) => new ZoUpdateKernel(ctx, range, rangeParams, step, spec),
    zoGrad: (entryPoint, o) => new ZoGradKernel(ctx, entryPoint, o),
  };
}
