#!/usr/bin/env bash
# Builds device-kit/ (git-ignored through .git/info/exclude), what a GPU machine without Node
# needs to run the CLI and the benchmarks: an xz-compressed node binary, the CLI and bench
# bundled with their dependencies, dawn.node (xz), the Vulkan loader .deb. About 32 MB.
# Stubs stand in for sharp and onnxruntime-node, which @huggingface/transformers loads at start
# but the tokenizers never use.
set -eu
cd "$(dirname "$0")/../.."
grep -qx '/device-kit/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo '/device-kit/' >> .git/info/exclude; }
npm run build:cli >/dev/null
K=device-kit
rm -rf $K && mkdir -p $K/debs $K/node_modules/webgpu/dist/linux-x64 $K/node_modules/sharp $K/node_modules/onnxruntime-node
for e in zo-studio bench; do
  node_modules/.bin/esbuild dist-cli/$e.mjs --bundle --platform=node --format=esm --target=node20 \
    --external:webgpu --external:onnxruntime-node --external:sharp --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" --outfile=$K/$e.mjs
done
printf "import { main } from './zo-studio.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n" > $K/cli.mjs
cp node_modules/webgpu/package.json node_modules/webgpu/index.js $K/node_modules/webgpu/
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > $K/node_modules/webgpu/dist/linux-x64/dawn.node.xz
echo '{"name":"sharp","version":"0.0.0-stub","type":"module","main":"index.js"}' > $K/node_modules/sharp/package.json
echo 'export default function sharp() { throw new Error("images are not supported in this bundle"); }' > $K/node_modules/sharp/index.js
echo '{"name":"onnxruntime-node","version":"0.0.0-stub","main":"index.cjs"}' > $K/node_modules/onnxruntime-node/package.json
echo 'module.exports = {};' > $K/node_modules/onnxruntime-node/index.cjs
(cd $K/debs && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 2>/dev/null)
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > $K/node.xz
du -sh $K
