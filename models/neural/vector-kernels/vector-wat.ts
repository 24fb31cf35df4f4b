/**
 * The source of the float32 vector kernels (the element-wise work around the matrix products: the softmax
 * cross-entropy over |V|-wide rows, Adam over every parameter, bias-gradient column sums). This module writes
 * them as WebAssembly text (SIMD f32x4 on the shared kernel memory); `build.ts` assembles it into the committed
 * `vector.wasm`. Every function works on a multiple of 4 elements; `vector.ts` does the ragged tails.
 */

const f32x4 = (x: number): string => `(f32x4.splat (f32.const ${x}))`;
const get = (x: string): string => `(local.get $${x})`;

/** `for (p = from; p < from + 4·count·4 bytes; p += 16) body` over byte pointers (one f32x4 per step). */
function vectorLoop(pointers: readonly string[], count: string, body: string[]): string {
  const [first] = pointers;
  return [
    `(local.set $end (i32.add ${get(first!)} (i32.shl ${count} (i32.const 2))))`,
    `(block $done (loop $top`,
    `  (br_if $done (i32.ge_u ${get(first!)} (local.get $end)))`,
    ...body.map((l) => `  ${l}`),
    ...pointers.map((p) => `  (local.set $${p} (i32.add ${get(p)} (i32.const 16)))`),
    `  (br $top)))`,
  ].join('\n');
}

/**
 * e^x for four floats (Cephes expf: x = k·ln 2 + r with ln 2 split in two for an exact reduction, a degree-6
 * polynomial for e^r, 2^k built in the exponent bits). x is clamped to [−87, 88], the range where 2^k is a
 * normal float; relative error ≈ 1 ulp.
 */
const EXP4 = `
(func $exp4 (param $x v128) (result v128) (local $k v128) (local $r v128) (local $p v128)
  (local.set $x (f32x4.max (f32x4.min (local.get $x) ${f32x4(88)}) ${f32x4(-87)}))
  (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) ${f32x4(1.44269504088896341)})))
  (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) ${f32x4(0.693359375)}))
                           (f32x4.mul (local.get $k) ${f32x4(-2.12194440e-4)})))
  (local.set $p ${f32x4(1.9875691500e-4)})
  ${[1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]
    .map((c) => `(local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${f32x4(c)}))`)
    .join('\n  ')}
  (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) ${f32x4(1)}))
  (f32x4.mul (local.get $p)
    (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (i32x4.splat (i32.const 127))) (i32.const 23))))`;

/** Add the four lanes of an f32x4, widened to two f64x2 accumulators (so long sums keep float64 precision). */
const widenInto = (acc0: string, acc1: string, e: string): string[] => [
  `(local.set $${acc0} (f64x2.add ${get(acc0)} (f64x2.promote_low_f32x4 ${e})))`,
  `(local.set $${acc1} (f64x2.add ${get(acc1)} (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e}))))`,
];
const sumLanes = `(f64.add (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))
                 (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1))))`;

const FUNCTIONS = `
;; max of n4 (a multiple of 4, ≥ 4) floats at p
(func (export "max") (param $p i32) (param $n4 i32) (result f32) (local $end i32) (local $acc v128)
  (local.set $acc (v128.load (local.get $p)))
  ${vectorLoop(['p'], get('n4'), ['(local.set $acc (f32x4.max (local.get $acc) (v128.load (local.get $p))))'])}
  (f32.max (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
           (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

;; dst[i] = exp(src[i] − shift) for n4 floats; returns Σ dst[i] (float64). dst may be src.
(func (export "exp_sum") (param $src i32) (param $dst i32) (param $n4 i32) (param $shift f32) (result f64)
  (local $end i32) (local $e v128) (local $acc0 v128) (local $acc1 v128) (local $s v128)
  (local.set $s (f32x4.splat (local.get $shift)))
  ${vectorLoop(['src', 'dst'], get('n4'), [
    '(local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $src)) (local.get $s))))',
    '(v128.store (local.get $dst) (local.get $e))',
    ...widenInto('acc0', 'acc1', '(local.get $e)'),
  ])}
  ${sumLanes})

;; Σ exp(src[i] − shift) over n4 floats (float64), nothing written
(func (export "sum_exp") (param $src i32) (param $n4 i32) (param $shift f32) (result f64)
  (local $end i32) (local $e v128) (local $acc0 v128) (local $acc1 v128) (local $s v128)
  (local.set $s (f32x4.splat (local.get $shift)))
  ${vectorLoop(['src'], get('n4'), [
    '(local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $src)) (local.get $s))))',
    ...widenInto('acc0', 'acc1', '(local.get $e)'),
  ])}
  ${sumLanes})

;; p[i] *= k over n4 floats
(func (export "scale") (param $p i32) (param $n4 i32) (param $k f32) (local $end i32) (local $s v128)
  (local.set $s (f32x4.splat (local.get $k)))
  ${vectorLoop(['p'], get('n4'), ['(v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $s)))'])})

;; dst[j] += Σ_r src[r·stride + j] for j < n4 (stride in bytes)
(func (export "column_sums") (param $src i32) (param $dst i32) (param $rows i32) (param $n4 i32) (param $stride i32)
  (local $end i32) (local $row i32) (local $d i32)
  (block $rows_done (loop $rows_top
    (br_if $rows_done (i32.eqz (local.get $rows)))
    (local.set $row (local.get $src))
    (local.set $d (local.get $dst))
    ${vectorLoop(['row', 'd'], get('n4'), ['(v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $row))))'])}
    (local.set $src (i32.add (local.get $src) (local.get $stride)))
    (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
    (br $rows_top))))

;; One Adam step over n4 parameters (torch.optim.Adam): g = grad + wd·θ; m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
;; θ −= stepSize · m / (√v · invSqrtBc2 + ε)
(func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n4 i32)
  (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32) (param $step f32) (param $inv f32) (param $eps f32) (param $wd f32)
  (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $pv v128)
  (local $B1 v128) (local $B2 v128) (local $C1 v128) (local $C2 v128) (local $STEP v128) (local $INV v128) (local $EPS v128) (local $WD v128)
  ${['B1:b1', 'B2:b2', 'C1:c1', 'C2:c2', 'STEP:step', 'INV:inv', 'EPS:eps', 'WD:wd']
    .map((pair) => {
      const [to, from] = pair.split(':');
      return `(local.set $${to} (f32x4.splat (local.get $${from})))`;
    })
    .join('\n  ')}
  ${vectorLoop(['p', 'g', 'm', 'v'], get('n4'), [
    '(local.set $pv (v128.load (local.get $p)))',
    '(local.set $gv (f32x4.add (v128.load (local.get $g)) (f32x4.mul (local.get $WD) (local.get $pv))))',
    '(local.set $mv (f32x4.add (f32x4.mul (local.get $B1) (v128.load (local.get $m))) (f32x4.mul (local.get $C1) (local.get $gv))))',
    '(local.set $vv (f32x4.add (f32x4.mul (local.get $B2) (v128.load (local.get $v))) (f32x4.mul (f32x4.mul (local.get $C2) (local.get $gv)) (local.get $gv))))',
    '(v128.store (local.get $m) (local.get $mv))',
    '(v128.store (local.get $v) (local.get $vv))',
    '(v128.store (local.get $p) (f32x4.sub (local.get $pv) (f32x4.div (f32x4.mul (local.get $STEP) (local.get $mv)) (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vv)) (local.get $INV)) (local.get $EPS)))))',
  ])})
`;

/** The whole module's text. The memory is the kernels' shared arena (`kernels/arena.ts`), imported. */
export function vectorWat(): string {
  return `(module
(import "env" "memory" (memory 1 65536 shared))
${EXP4}
${FUNCTIONS})
`;
}
