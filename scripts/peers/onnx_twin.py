"""The ONNX twin of the demo model, for the forward benchmark against onnxruntime-web's WASM
backend (scripts/bench/peers.ts, bench/forward.html). Builds the model in plain PyTorch from
public/demo-model/model.safetensors, checks it against golden.json FIRST (a twin that computes
something else would make every ratio meaningless), then exports ONNX:

  input   input_ids  int64 [batch, sequence]   (dynamic axes; right-padded rows, no mask)
  output  logits     f32   [batch, vocab]      at each row's LAST position

Last-position logits only, because that is the work ZO Studio's forward does when the bench
times it (classification scoring reads the label word's log-prob at the prompt's last token;
the LM head runs at the scored positions only), so both sides compute the same thing.

Opset 17: the newest torch 1.13 writes, and well inside what onnxruntime-web runs.
The file is built on demand into bench-results/ (gitignored): it is 15.7 MB of weights already
in the repository as safetensors, and a build artifact of them.

    /usr/bin/python3 scripts/peers/onnx_twin.py [--out PATH]
Prints one JSON line: the golden check's figures and the output path.
"""
import argparse
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from demo_llama import DEMO_MODEL, ROOT, check_golden, load_demo_model  # noqa: E402

DEFAULT_OUT = ROOT / 'bench-results' / 'peers' / 'demo-model.onnx'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default=str(DEFAULT_OUT))
    out = pathlib.Path(ap.parse_args().out)
    torch.set_num_threads(1)
    model = load_demo_model(DEMO_MODEL)
    golden = check_golden(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    example = torch.tensor([[1, 100, 1372, 264, 289, 434], [1, 103, 387, 47, 3397, 0]])
    with torch.no_grad():
        torch.onnx.export(model, (example,), str(out), input_names=['input_ids'], output_names=['logits'],
                          dynamic_axes={'input_ids': {0: 'batch', 1: 'sequence'}, 'logits': {0: 'batch'}},
                          opset_version=17, do_constant_folding=True)
    print(json.dumps({'onnx': str(out), 'bytes': out.stat().st_size, 'opset': 17, 'golden': golden}))


if __name__ == '__main__':
    main()
