// Per-example losses from scored log-probabilities (MeZO's candidate scoring).
// A scoring plan (u32 words) lists, per example: its candidates, its label and its objective;
// per candidate: which entries of `logprobs` are its tokens. score(candidate) = mean
// log-prob of its tokens. Objectives:
//   0 classification: loss = logsumexp_c(score_c) - score_label      (cross-entropy over candidates)
//   1 language model: loss = -score_0                                (mean NLL of the answer tokens)
//   2 negative accuracy: loss = -(argmax_c score_c == label)         (non-differentiable; ZO takes it)
//   3 DPO (Rafailov et al. 2023): two candidates, chosen = label, rejected = the other; with the
//     frozen start model's scores ref_c in aux[2c]:
//       margin = beta ((s_chosen - ref_chosen) - (s_rejected - ref_rejected)),  loss = -log sigmoid(margin)
//   4 policy gradient with a KL penalty (RLOO, Ahmadian et al. 2024; ZOPrO): one candidate, the
//     sampled completion; advantage A in aux[2c + 1], reference score in aux[2c]; d = ref - s:
//       loss = -A s + klCoef (exp(d) - d - 1)        (the k3 KL estimator on the mean log-prob)
// Plan layout: [E x (candStart, candCount, label, objective)] [C x (tokStart, tokCount)] [T x logprob index]
// One workgroup: a thread per example (strided), then a tree reduction for the batch mean,
// written to batchLoss[0]. Batches are tens of examples, so one workgroup is plenty.

struct Params {
  examples: u32,
  candidateBase: u32, // word offset of the candidate table in `plan`
  tokenBase: u32,     // word offset of the token index table in `plan`
  beta: f32,          // DPO's beta
  klCoef: f32,        // policy gradient: weight of the KL penalty
}

@group(0) @binding(0) var<storage, read> logprobs: array<f32>;
@group(0) @binding(1) var<storage, read> plan: array<u32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;      // [C]
@group(0) @binding(3) var<storage, read_write> exampleLoss: array<f32>; // [E]
@group(0) @binding(4) var<storage, read_write> batchLoss: array<f32>;   // [1]
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<storage, read> aux: array<f32>;              // [C, 2]: (reference score, advantage)

const WG: u32 = 256u;
var<workgroup> partial: array<f32, WG>;

fn candidateScore(c: u32) -> f32 {
  let tokStart = plan[params.candidateBase + 2u * c];
  let tokCount = plan[params.candidateBase + 2u * c + 1u];
  var sum = 0.0;
  for (var t = 0u; t < tokCount; t++) {
    sum += logprobs[plan[params.tokenBase + tokStart + t]];
  }
  let s = sum / f32(max(tokCount, 1u));
  scores[c] = s;
  return s;
}

fn exampleLossOf(e: u32) -> f32 {
  let candStart = plan[4u * e];
  let candCount = plan[4u * e + 1u];
  let label = plan[4u * e + 2u];
  let objective = plan[4u * e + 3u];
  var best = -3.0e38;
  var bestIndex = 0u;
  var labelScore = 0.0;
  for (var c = 0u; c < candCount; c++) {
    let s = candidateScore(candStart + c);
    if (s > best) { best = s; bestIndex = c; }
    if (c == label) { labelScore = s; }
  }
  if (objective == 1u) { return -labelScore; }
  if (objective == 3u) {
    let chosen = candStart + label;
    let rejected = candStart + select(0u, 1u, label == 0u);
    let margin = params.beta * ((scores[chosen] - aux[2u * chosen]) - (scores[rejected] - aux[2u * rejected]));
    return max(-margin, 0.0) + log(1.0 + exp(-abs(margin)));   // softplus(-margin), stable
  }
  if (objective == 4u) {
    let d = aux[2u * candStart] - scores[candStart];
    return -aux[2u * candStart + 1u] * scores[candStart] + params.klCoef * (exp(d) - d - 1.0);
  }
  if (objective == 2u) { return select(0.0, -1.0, bestIndex == label); }
  var sumExp = 0.0;
  for (var c = 0u; c < candCount; c++) {
    sumExp += exp(scores[candStart + c] - best);
  }
  return best + log(sumExp) - labelScore;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var total = 0.0;
  for (var e = lid; e < params.examples; e += WG) {
    let l = exampleLossOf(e);
    exampleLoss[e] = l;
    total += l;
  }
  partial[lid] = total;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    batchLoss[0] = partial[0] / f32(max(params.examples, 1u));
  }
}
