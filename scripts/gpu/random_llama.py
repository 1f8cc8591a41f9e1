"""Writes a random-weight Llama in Hugging Face layout (config.json, bf16 model.safetensors, the
demo model's tokenizer) for timing runs at a realistic size. Nothing about its outputs is
meaningful; only its shapes are. Needs torch and safetensors (the GPU machine has both).

python3 scripts/gpu/random_llama.py OUT_DIR [--hidden 2048 --layers 16 --intermediate 5632
    --heads 32 --kv-heads 4]
"""
import argparse, json, shutil, pathlib
import torch
from safetensors.torch import save_file

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--hidden', type=int, default=2048)
p.add_argument('--layers', type=int, default=16)
p.add_argument('--intermediate', type=int, default=5632)
p.add_argument('--heads', type=int, default=32)
p.add_argument('--kv-heads', type=int, default=4)
p.add_argument('--tokenizer-from', default='public/demo-model')
a = p.parse_args()

src = pathlib.Path(a.tokenizer_from)
out = pathlib.Path(a.out)
out.mkdir(parents=True, exist_ok=True)
config = json.loads((src / 'config.json').read_text())
head_dim = a.hidden // a.heads
config.update(hidden_size=a.hidden, intermediate_size=a.intermediate, num_hidden_layers=a.layers,
              num_attention_heads=a.heads, num_key_value_heads=a.kv_heads, head_dim=head_dim,
              torch_dtype='bfloat16', max_position_embeddings=2048)
(out / 'config.json').write_text(json.dumps(config, indent=2))
for name in ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json']:
    if (src / name).exists():
        shutil.copy(src / name, out / name)

g = torch.Generator().manual_seed(0)
def normal(*shape, std=0.02):
    return (torch.randn(*shape, generator=g) * std).to(torch.bfloat16)
vocab, h, kv = config['vocab_size'], a.hidden, a.kv_heads * head_dim
tensors = {'model.embed_tokens.weight': normal(vocab, h), 'model.norm.weight': torch.ones(h, dtype=torch.bfloat16),
           'lm_head.weight': normal(vocab, h)}
for i in range(a.layers):
    pre = f'model.layers.{i}.'
    tensors |= {
        pre + 'input_layernorm.weight': torch.ones(h, dtype=torch.bfloat16),
        pre + 'post_attention_layernorm.weight': torch.ones(h, dtype=torch.bfloat16),
        pre + 'self_attn.q_proj.weight': normal(h, h), pre + 'self_attn.k_proj.weight': normal(kv, h),
        pre + 'self_attn.v_proj.weight': normal(kv, h), pre + 'self_attn.o_proj.weight': normal(h, h, std=0.02 / (2 * a.layers) ** 0.5),
        pre + 'mlp.gate_proj.weight': normal(a.intermediate, h), pre + 'mlp.up_proj.weight': normal(a.intermediate, h),
        pre + 'mlp.down_proj.weight': normal(h, a.intermediate, std=0.02 / (2 * a.layers) ** 0.5),
    }
save_file(tensors, out / 'model.safetensors', metadata={'format': 'pt'})
print(f'{out}: {sum(t.numel() for t in tensors.values()) / 1e6:.0f}M parameters')
