/**
 * The two builds of every kernel module. `simd` is WebAssembly SIMD (fixed-width f32x4, every multiply-add a
 * separately rounded `f32x4.mul` and `f32x4.add`); `relaxed` is the same text with each of those pairs replaced by
 * relaxed SIMD's `f32x4.relaxed_madd` (`f64x2.relaxed_madd` in the float64 sums), which the engine may compute fused
 * (one rounding, one instruction: x86 FMA3, Arm NEON fmla) or not: the relaxed-SIMD proposal leaves it to the
 * implementation, and V8 fuses wherever the CPU has the instruction. The generators (`gemm-wat.ts`,
 * `vector-wat.ts`) take the variant and emit every multiply-add through `mulAdd`, so the two builds differ in
 * nothing else.
 */
export type KernelVariant = 'simd' | 'relaxed';

export const KERNEL_VARIANTS: readonly KernelVariant[] = ['simd', 'relaxed'];

export interface MulAddForm {
  /** 'f32x4' (default) or 'f64x2'. */
  lanes?: 'f32x4' | 'f64x2';
  /** The plain variant's operand order: `(add (mul a b) c)` instead of `(add c (mul a b))` (the same value). */
  productFirst?: boolean;
}

/** `a·b + c` on four floats (or two doubles): one relaxed multiply-add in the relaxed variant, fused where the CPU can. */
export function mulAdd(variant: KernelVariant, a: string, b: string, c: string, { lanes = 'f32x4', productFirst = false }: MulAddForm = {}): string {
  if (variant === 'relaxed') return `(${lanes}.relaxed_madd ${a} ${b} ${c})`;
  const product = `(${lanes}.mul ${a} ${b})`;
  return productFirst ? `(${lanes}.add ${product} ${c})` : `(${lanes}.add ${c} ${product})`;
}

/** `c − a·b` on four floats: `f32x4.relaxed_nmadd` in the relaxed variant. */
export function negMulAdd(variant: KernelVariant, a: string, b: string, c: string): string {
  return variant === 'relaxed' ? `(f32x4.relaxed_nmadd ${a} ${b} ${c})` : `(f32x4.sub ${c} (f32x4.mul ${a} ${b}))`;
}
