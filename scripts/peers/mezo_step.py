"""A MeZO step in PyTorch on the CPU (Malladi et al. 2023, Alg. 1, as their reference code runs it):
the peer `npm run bench -- --backend cpu` times ZO Studio's CPU backend against.

One step, under torch.no_grad: seed; theta += eps z; loss+; theta -= 2 eps z; loss-;
theta += eps z (restore); g = (loss+ - loss-) / (2 eps); theta -= lr g z. z is regenerated from the
step's seed for each of the four passes (torch.normal with a seeded generator per tensor), as in
MeZO's code, so nothing the size of the model is stored. The loss is ZO Studio's classification
loss: each candidate's score is its label word's log-prob at the prompt's last token, the example
loss is cross-entropy over the candidates' scores, the batch loss their mean.

Modes (the parameter COUNT perturbed matches ZO Studio's; the forward is the f32 model in both,
because PyTorch on the CPU has no q4 matmul for this graph):
  full     every tensor of the model (3,934,656 parameters on the demo model)
  sparse   `--sparse-fraction` of the entries of every linear weight (q/k/v/o/gate/up/down), at
           fixed random positions, perturbed and updated with index_add_ (ZO Studio's SensZOQ
           sparse mode trains the same count over a q4 base, its forward a q4 matmul plus the
           sparse correction)

The batches come from a JSON file the bench writes (the same rows ZO Studio's sampler draws, as
token ids), so both sides score identical batches:
  {"batches": [{"ids": [[int]], "candidates": [[int]], "labels": [int]}]}
ids are each example's prompt tokens (unpadded); candidates[e] the single-token label words.

    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=N OPENBLAS_NUM_THREADS=N \
    /usr/bin/python3 scripts/peers/mezo_step.py --batches FILE --threads N --mode full|sparse [--steps K]
(the bench sets that environment: see TORCH_ENV in scripts/bench/peers.ts for why)
Prints one JSON line: per-step ms, median, min, max, the forward ms, what was perturbed.
"""
import argparse
import json
import pathlib
import statistics
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from demo_llama import DEMO_MODEL, load_demo_model  # noqa: E402

LINEARS = ('q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj')


def padded(batch, pad_id):
    rows = batch['ids']
    T = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad_id] * (T - len(r)) for r in rows])
    last = torch.tensor([len(r) - 1 for r in rows])
    for c in batch['candidates']:
        if any(not isinstance(t, int) for t in c):
            raise SystemExit('candidates must be single token ids (one label word token each)')
    return ids, last, torch.tensor(batch['candidates']), torch.tensor(batch['labels'])


def batch_loss(model, ids, last, candidates, labels):
    logp = torch.log_softmax(model.forward_at(ids, last), dim=-1)  # [B, vocab]
    scores = torch.gather(logp, 1, candidates)  # [B, C]
    return torch.nn.functional.cross_entropy(scores, labels).item()


class Perturbable:
    """The tensors (or entries of tensors) one MeZO step nudges, and z regenerated from a seed."""

    def __init__(self, model, mode, fraction, seed):
        self.targets = []  # (flat view of the parameter, entry indices or None for all)
        g = torch.Generator().manual_seed(seed)
        for name, p in model.named_weights():
            flat = p.data.view(-1)
            if mode == 'full':
                self.targets.append((flat, None))
            elif name.split('.')[-2] in LINEARS:
                k = max(1, round(fraction * flat.numel()))
                self.targets.append((flat, torch.randperm(flat.numel(), generator=g)[:k]))
        self.count = sum(f.numel() if i is None else i.numel() for f, i in self.targets)

    def add(self, seed, scale):
        """theta += scale * z(seed), z regenerated tensor by tensor."""
        g = torch.Generator().manual_seed(seed)
        for flat, idx in self.targets:
            n = flat.numel() if idx is None else idx.numel()
            z = torch.normal(0.0, 1.0, (n,), generator=g)
            if idx is None:
                flat.add_(z, alpha=scale)
            else:
                flat.index_add_(0, idx, z, alpha=scale)


def mezo_step(model, params, batch, step_seed, lr, eps):
    params.add(step_seed, eps)
    plus = batch_loss(model, *batch)
    params.add(step_seed, -2 * eps)
    minus = batch_loss(model, *batch)
    params.add(step_seed, eps)
    g = (plus - minus) / (2 * eps)
    params.add(step_seed, -lr * g)
    return plus, minus


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--batches', required=True)
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--mode', choices=('full', 'sparse'), default='full')
    ap.add_argument('--sparse-fraction', type=float, default=1e-3)
    ap.add_argument('--steps', type=int, default=7)
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--eps', type=float, default=1e-3)
    ap.add_argument('--model', default=str(DEMO_MODEL))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load_demo_model(a.model)
    pad = json.loads((pathlib.Path(a.model) / 'config.json').read_text()).get('pad_token_id', 0) or 0
    batches = [padded(b, pad) for b in json.loads(pathlib.Path(a.batches).read_text())['batches']]
    params = Perturbable(model, a.mode, a.sparse_fraction, seed=0)
    step_ms, fwd_ms, losses = [], [], []
    with torch.no_grad():
        mezo_step(model, params, batches[0], 10_000, a.lr, a.eps)  # warm-up (allocator, BLAS threads)
        for s in range(a.steps):
            b = batches[s % len(batches)]
            t = time.perf_counter()
            batch_loss(model, *b)
            fwd_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            losses.append(mezo_step(model, params, b, s, a.lr, a.eps))
            step_ms.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        'mode': a.mode, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
        'perturbed': params.count, 'batch': int(batches[0][0].shape[0]),
        'stepMs': step_ms, 'stepMsMedian': statistics.median(step_ms), 'stepMsMin': min(step_ms), 'stepMsMax': max(step_ms),
        'forwardMsMedian': statistics.median(fwd_ms), 'firstLosses': losses[:2],
    }))


if __name__ == '__main__':
    main()
