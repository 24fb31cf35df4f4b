import type { FloatArray } from '../tensor.ts';
import { logFloat32, sinCosFloat32, type SineCosine } from './avx-mathfun.ts';
import { fmaFloat32, fmaFloat64 } from './fused-multiply-add.ts';
import type { TorchGenerator } from './generator.ts';

/**
 * torch's in-place CPU distributions on a contiguous tensor, drawn in torch's order
 * (`aten/src/ATen/native/cpu/DistributionTemplates.h`, as built in torch 1.13 with CPU capability AVX2).
 */

/** Below this many elements `normal_` draws one Box-Muller value at a time; from it, blocks of 16. */
export const NORMAL_BLOCK = 16;
const HALF_BLOCK = NORMAL_BLOCK / 2;
/** `2.0f * c10::pi<double>` as the AVX2 kernel broadcasts it. */
const TWO_PI_FLOAT32 = Math.fround(2 * Math.PI);

/** `tensor.uniform_(from, to)`: one draw per element in order (24 bits each for float32, 53 for float64). */
export function uniformFill(data: FloatArray, from: number, to: number, generator: TorchGenerator): void {
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) data[i] = generator.uniformFloat32(from, to);
  } else {
    for (let i = 0; i < data.length; i++) data[i] = generator.uniformFloat64(from, to);
  }
}

/**
 * `tensor.normal_(mean, std)`. Fewer than 16 elements: each is a scalar double Box-Muller draw, which uses
 * (and leaves) the generator's cached second normal. 16 or more: every element first gets a uniform, then
 * each block of 16 becomes 16 normals (u = the first 8 for the radius, the last 8 for the angle); a length
 * that is not a multiple of 16 redraws 16 fresh uniforms for the last 16 elements and transforms those, so
 * the tail overlaps the last whole block. This path leaves the cached normal alone.
 */
export function normalFill(data: FloatArray, mean: number, std: number, generator: TorchGenerator): void {
  const n = data.length;
  if (n < NORMAL_BLOCK) {
    for (let i = 0; i < n; i++) data[i] = generator.normalFloat64(mean, std);
    return;
  }
  const block = data instanceof Float32Array ? normalBlockFloat32 : normalBlockFloat64;
  uniformFill(data, 0, 1, generator);
  for (let start = 0; start + NORMAL_BLOCK <= n; start += NORMAL_BLOCK) block(data, start, mean, std);
  if (n % NORMAL_BLOCK !== 0) {
    const tail = data.subarray(n - NORMAL_BLOCK);
    uniformFill(tail, 0, 1, generator);
    block(data, n - NORMAL_BLOCK, mean, std);
  }
}

const sinCos: SineCosine = { sin: 0, cos: 0 };

/** `normal_fill_16_AVX2`: float32 throughout, avx_mathfun's log and sincos, the final n·std + mean fused. */
function normalBlockFloat32(data: FloatArray, start: number, mean: number, std: number): void {
  const m = Math.fround(mean);
  const s = Math.fround(std);
  for (let j = start; j < start + HALF_BLOCK; j++) {
    const u1 = Math.fround(1 - data[j]!);
    const radius = Math.fround(Math.sqrt(Math.fround(-2 * logFloat32(u1))));
    const theta = Math.fround(TWO_PI_FLOAT32 * data[j + HALF_BLOCK]!);
    sinCosFloat32(theta, sinCos);
    data[j] = fmaFloat32(Math.fround(radius * sinCos.cos), s, m);
    data[j + HALF_BLOCK] = fmaFloat32(Math.fround(radius * sinCos.sin), s, m);
  }
}

/** `normal_fill_16<double>`: the same transform in double with the C library's log, cos and sin. */
function normalBlockFloat64(data: FloatArray, start: number, mean: number, std: number): void {
  for (let j = start; j < start + HALF_BLOCK; j++) {
    const u1 = 1 - data[j]!;
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * data[j + HALF_BLOCK]!;
    data[j] = fmaFloat64(radius * Math.cos(theta), std, mean);
    data[j + HALF_BLOCK] = fmaFloat64(radius * Math.sin(theta), std, mean);
  }
}
