#!/usr/bin/env bash
# Runs on a lent GPU machine (the device tool), from the repository root, with device-kit/ carried
# (scripts/gpu/make-kit.sh builds it: node, the bundled CLI and bench, dawn.node, the Vulkan loader).
#   bash scripts/gpu/device-run.sh bench            kernel + demo-model benchmarks
#   bash scripts/gpu/device-run.sh bigbench         model-level ratios on a random 0.7B Llama
#   bash scripts/gpu/device-run.sh sweep FILE SECS  CLI training runs in parallel, one per line of
#                                                   FILE ("name args..."), each stopped after SECS
# Several phases may follow each other in one call. Results go under $OUT.
set -u
KIT=device-kit
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
mkdir -p /tmp/kit
[ -x /tmp/kit/node ] || { xz -dc $KIT/node.xz > /tmp/kit/node && chmod +x /tmp/kit/node; }
[ -f $KIT/node_modules/webgpu/dist/linux-x64/dawn.node ] || xz -dkf $KIT/node_modules/webgpu/dist/linux-x64/dawn.node.xz
# The NVIDIA Vulkan ICD (libGLX_nvidia) needs glvnd's dispatch libraries beside the loader.
[ -f /tmp/kit/debs-unpacked ] || { for f in $KIT/debs/*.deb; do dpkg -x "$f" /; done; ldconfig; touch /tmp/kit/debs-unpacked; }
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $ICD ] && export VK_DRIVER_FILES=$ICD
export PATH=/tmp/kit:$PATH
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
node $KIT/cli.mjs info || exit 1

while [ $# -gt 0 ]; do
  case "$1" in
    bench)
      timeout "${BENCH_SECS:-240}" node $KIT/bench.mjs --json > "$OUT/bench.json" 2> >(tee "$OUT/bench.log" >&2)
      shift ;;
    bigbench)
      python3 scripts/gpu/random_llama.py /tmp/llama-0.7b
      timeout "${BENCH_SECS:-240}" node $KIT/bench.mjs --json --no-kernels --model /tmp/llama-0.7b > "$OUT/bigbench.json" 2> >(tee "$OUT/bigbench.log" >&2)
      shift ;;
    sweep)
      list=$2; secs=$3; shift 3
      mkdir -p /tmp/runs
      while read -r name args; do
        [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
        # shellcheck disable=SC2086
        timeout "$secs" node $KIT/cli.mjs train --json --out "/tmp/runs/$name" $args > "/tmp/runs/$name.jsonl" 2> "/tmp/runs/$name.err" &
      done < "$list"
      wait
      tar -czf "$OUT/runs-$(basename "$list" .txt).tar.gz" -C /tmp/runs --exclude='*/*.safetensors' .
      for f in /tmp/runs/*.jsonl; do echo "== $f"; grep '"split":"dev"' "$f" | grep reward | tail -3; done ;;
    *) echo "unknown phase $1"; exit 2 ;;
  esac
done
