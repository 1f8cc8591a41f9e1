// CPU references for shaders/elementwise.wgsl.

export function copyRef(src: Float32Array): Float32Array {
  return src.slice();
}

export function addInplaceRef(dst: Float32Array, src: Float32Array): Float32Array {
  for (let i = 0; i < dst.length; i++) dst[i] = Math.fround(dst[i] + src[i]);
  return dst;
}
