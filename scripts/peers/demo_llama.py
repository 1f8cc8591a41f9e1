"""The demo model (public/demo-model) as a batched plain-PyTorch module, for the peers the
benchmark compares ZO Studio with: the ONNX twin (onnx_twin.py) and the PyTorch CPU MeZO step
(mezo_step.py). Hugging Face LlamaForCausalLM semantics written out (no transformers package, no
project code), the same graph as scripts/fixtures/family_goldens.py but with the weights as
nn.Parameters (MeZO perturbs them in place) and a batch axis.

Batches are right-padded with no attention mask, exactly as ZO Studio's forward runs them: the
causal mask keeps every real position blind to the padding after it.
"""
import json
import pathlib
import struct

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEMO_MODEL = ROOT / 'public' / 'demo-model'


def read_safetensors(path):
    """HF name -> f32 tensor. The demo checkpoint is F32 only (see its README)."""
    raw = pathlib.Path(path).read_bytes()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        if entry['dtype'] != 'F32':
            raise SystemExit(f'{path}: {name} is {entry["dtype"]}; this script reads F32 checkpoints only')
        a, b = entry['data_offsets']
        data = bytearray(raw[8 + n + a:8 + n + b])
        out[name] = torch.frombuffer(data, dtype=torch.float32).reshape(entry['shape']).clone()
    return out


class DemoLlama(torch.nn.Module):
    """forward(ids [B, T] int64) -> logits at each row's last position [B, vocab] (what ZO Studio's
    classification scoring reads: the label word's log-prob at the prompt's last token);
    forward_all(ids) -> logits at every position [B, T, vocab]."""

    def __init__(self, config, weights):
        super().__init__()
        self.c = config
        self.H, self.KV = config['num_attention_heads'], config['num_key_value_heads']
        self.d = config.get('head_dim') or config['hidden_size'] // self.H
        self.eps = config['rms_norm_eps']
        if config.get('rope_scaling'):
            raise SystemExit('rope_scaling is not supported by this peer (the demo model has none)')
        if config.get('tie_word_embeddings'):
            weights = dict(weights, **{'lm_head.weight': weights['model.embed_tokens.weight']})
        # ParameterDict keys cannot hold dots.
        self.w = torch.nn.ParameterDict({k.replace('.', '/'): torch.nn.Parameter(v, requires_grad=False) for k, v in weights.items()})
        inv = 1.0 / (config['rope_theta'] ** (torch.arange(0, self.d, 2, dtype=torch.int64).float() / self.d))
        self.register_buffer('inv_freq', inv, persistent=False)

    def p(self, name):
        return self.w[name.replace('.', '/')]

    def named_weights(self):
        """(HF name, parameter) in checkpoint order."""
        return [(k.replace('/', '.'), v) for k, v in self.w.items()]

    def rms_norm(self, x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def hidden(self, ids):
        B, T = ids.shape
        H, KV, d = self.H, self.KV, self.d
        pos = torch.arange(T, dtype=torch.float32)
        freqs = pos[:, None] * self.inv_freq[None, :]  # [T, d/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        causal = torch.triu(torch.full((T, T), float('-inf')), diagonal=1)
        x = torch.nn.functional.embedding(ids, self.p('model.embed_tokens.weight'))
        for layer in range(self.c['num_hidden_layers']):
            pre = f'model.layers.{layer}.'
            h = self.rms_norm(x, self.p(pre + 'input_layernorm.weight'))

            def proj(name, heads):
                return torch.matmul(h, self.p(pre + f'self_attn.{name}.weight').t()).view(B, T, heads, d).transpose(1, 2)

            q, k, v = proj('q_proj', H), proj('k_proj', KV), proj('v_proj', KV)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            # HF repeat_kv (KV head j serves query heads j*rep..j*rep+rep-1) as a broadcast over a
            # group axis: repeat_interleave exports to ONNX with the tracing batch's shape baked in.
            rep = H // KV
            q = q.reshape(B, KV, rep, T, d)
            scores = torch.matmul(q, k.unsqueeze(2).transpose(3, 4)) * d ** -0.5 + causal
            attn = torch.matmul(torch.softmax(scores, dim=-1), v.unsqueeze(2)).reshape(B, H, T, d)
            x = x + torch.matmul(attn.transpose(1, 2).reshape(B, T, H * d), self.p(pre + 'self_attn.o_proj.weight').t())
            h = self.rms_norm(x, self.p(pre + 'post_attention_layernorm.weight'))
            gate = torch.matmul(h, self.p(pre + 'mlp.gate_proj.weight').t())
            up = torch.matmul(h, self.p(pre + 'mlp.up_proj.weight').t())
            x = x + torch.matmul(torch.nn.functional.silu(gate) * up, self.p(pre + 'mlp.down_proj.weight').t())
        return x

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def head(self, x):
        return torch.matmul(self.rms_norm(x, self.p('model.norm.weight')), self.p('lm_head.weight').t())

    def forward(self, ids):
        return self.head(self.hidden(ids)[:, -1, :])

    def forward_at(self, ids, last):
        """Logits at position last[b] of row b (right-padded batches) [B, vocab]."""
        x = self.hidden(ids)
        return self.head(x[torch.arange(ids.shape[0]), last])

    def forward_all(self, ids):
        return self.head(self.hidden(ids))


def load_demo_model(model_dir=DEMO_MODEL):
    model_dir = pathlib.Path(model_dir)
    config = json.loads((model_dir / 'config.json').read_text())
    return DemoLlama(config, read_safetensors(model_dir / 'model.safetensors')).eval()


def check_golden(model, model_dir=DEMO_MODEL, tolerance=1e-3):
    """Max |logit - golden| over golden.json's prompts (last-position logits) and the largest
    mean-loss gap; raises when either exceeds `tolerance`. Also checks a right-padded batch of all
    prompts against the one-by-one forward (the padding rule ZO Studio relies on)."""
    golden = json.loads((pathlib.Path(model_dir) / 'golden.json').read_text())
    worst_logit, worst_loss = 0.0, 0.0
    rows = [c['input_ids'] for c in golden['cases']]
    with torch.no_grad():
        for case in golden['cases']:
            ids = torch.tensor([case['input_ids']])
            logits = model.forward_all(ids)[0]
            worst_logit = max(worst_logit, (logits[-1] - torch.tensor(case['last_logits'])).abs().max().item())
            loss = torch.nn.functional.cross_entropy(logits[:-1], ids[0, 1:]).item()
            worst_loss = max(worst_loss, abs(loss - case['mean_loss']))
        T = max(len(r) for r in rows)
        padded = torch.tensor([r + [0] * (T - len(r)) for r in rows])
        batched = model.forward_at(padded, torch.tensor([len(r) - 1 for r in rows]))
        worst_pad = max((batched[i] - torch.tensor(c['last_logits'])).abs().max().item() for i, c in enumerate(golden['cases']))
    if max(worst_logit, worst_loss, worst_pad) > tolerance:
        raise SystemExit(f'the PyTorch twin does not match golden.json: max |logit diff| {worst_logit:.3g}, '
                         f'mean-loss diff {worst_loss:.3g}, padded batch {worst_pad:.3g} (tolerance {tolerance})')
    return {'cases': len(rows), 'maxLogitDiff': worst_logit, 'maxMeanLossDiff': worst_loss, 'maxPaddedBatchDiff': worst_pad}
