"""Draws docs/dpo-h100-sweep.svg from docs/data/dpo-h100-sweep.csv (standard library only):
dev reward accuracy and dev pair accuracy against step for the ZO-DPO runs named below.

python3 scripts/gpu/plot_dpo_sweep.py
"""
import csv, collections, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNS = {  # run -> (legend, colour, dashed)
    'full-qk-b32-lr5e-4': ('q,k only, lr 5e-4, batch 32, seed 1', '#1f77b4', False),
    'qk-b32-lr5e-4-s2': ('q,k only, lr 5e-4, batch 32, seed 2', '#4a98d0', False),
    'qk-b32-lr5e-4-s3': ('q,k only, lr 5e-4, batch 32, seed 3', '#86bde6', False),
    'qk-b64-lr1e-3-s1': ('q,k only, lr 1e-3, batch 64 (preset)', '#08306b', False),
    'loraqk-b32-lr3e-3-s1': ('LoRA r8 on q,k, lr 3e-3, batch 32', '#2ca02c', False),
    'sparse-b32-lr2e-2-s1': ('sparse 0.1%, lr 2e-2, batch 32', '#9467bd', False),
    'full-b64-lr2e-4': ('all weights, lr 2e-4, batch 64', '#ff7f0e', True),
    'qkvo-b32-lr5e-4-s1': ('q,k,v,o, lr 5e-4, batch 32', '#d62728', True),
    'mlp-b32-lr5e-4-s1': ('MLP only, lr 5e-4, batch 32', '#8c564b', True),
}
series = collections.defaultdict(list)
with open(ROOT / 'docs/data/dpo-h100-sweep.csv') as f:
    for row in csv.DictReader(f):
        if row['split'] == 'dev' and row['run'] in RUNS:
            series[row['run']].append((int(row['step']), float(row['reward_accuracy']), float(row['pair_accuracy'])))

W, H, PAD_L, PAD_T, PLOT_W, PLOT_H, GAP = 980, 420, 50, 40, 330, 300, 70
X_MAX = 7000
def panel(x0, title, index, y_lo, y_hi, baseline, baseline_label):
    def px(step): return x0 + step / X_MAX * PLOT_W
    def py(v): return PAD_T + (1 - (v - y_lo) / (y_hi - y_lo)) * PLOT_H
    out = [f'<text x="{x0 + PLOT_W / 2}" y="22" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<rect x="{x0}" y="{PAD_T}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#999"/>']
    for v in [y_lo + i * (y_hi - y_lo) / 5 for i in range(6)]:
        out.append(f'<line x1="{x0}" x2="{x0 + PLOT_W}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x0 - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v * 100:.0f}%</text>')
    for s in range(0, X_MAX + 1, 1000):
        out.append(f'<text x="{px(s):.1f}" y="{PAD_T + PLOT_H + 16}" text-anchor="middle">{s}</text>')
    out.append(f'<text x="{x0 + PLOT_W / 2}" y="{PAD_T + PLOT_H + 34}" text-anchor="middle">ZO step</text>')
    out.append(f'<line x1="{x0}" x2="{x0 + PLOT_W}" y1="{py(baseline):.1f}" y2="{py(baseline):.1f}" stroke="#000" stroke-dasharray="2 3"/>')
    out.append(f'<text x="{x0 + PLOT_W - 4}" y="{py(baseline) - 4:.1f}" text-anchor="end" fill="#555">{baseline_label}</text>')
    for run, (label, colour, dashed) in RUNS.items():
        pts = [(s, v[index]) for s, *v in [(p[0], p[1], p[2]) for p in series[run]] if s <= X_MAX]
        pts = [(s, min(max(v, y_lo), y_hi)) for s, v in pts]
        path = ' '.join(f'{px(s):.1f},{py(v):.1f}' for s, v in pts)
        dash = ' stroke-dasharray="5 3"' if dashed else ''
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>')
    return out

parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
         '<rect width="100%" height="100%" fill="#fff"/>']
parts += panel(PAD_L, 'dev reward accuracy (margin > 0)', 0, 0.4, 0.8, 0.5, 'chance')
parts += panel(PAD_L + PLOT_W + GAP, 'dev pair accuracy (task metric)', 1, 0.4, 0.65, 0.485, 'start model 48.5%')
lx = PAD_L + 2 * PLOT_W + GAP + 20
for i, (run, (label, colour, dashed)) in enumerate(RUNS.items()):
    y = PAD_T + 10 + i * 20
    dash = ' stroke-dasharray="5 3"' if dashed else ''
    parts.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/>')
    parts.append(f'<text x="{lx + 28}" y="{y + 4}">{label}</text>')
parts.append(f'<text x="{lx}" y="{PAD_T + 10 + len(RUNS) * 20 + 10}" fill="#555">ZO-DPO on wn-define-pref, 200 dev pairs,</text>')
parts.append(f'<text x="{lx}" y="{PAD_T + 10 + len(RUNS) * 20 + 24}" fill="#555">beta 2, eps 1e-3, NVIDIA H100 (Dawn/Vulkan)</text>')
parts.append('</svg>')
W_NEEDED = lx + 250
svg = '\n'.join(parts).replace(f'width="{W}"', f'width="{W_NEEDED}"', 1)
(ROOT / 'docs/dpo-h100-sweep.svg').write_text(svg + '\n')
print('wrote docs/dpo-h100-sweep.svg')
