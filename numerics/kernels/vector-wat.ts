import { claimLoop, JOB_HEAD } from './job-wat.ts';
import { mulAdd, negMulAdd, type KernelVariant } from './variant-wat.ts';

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

/** The whole multiple of 4 of `$n`: the part the f32x4 loops do. */
const N4 = '(i32.and (local.get $n) (i32.const -4))';

/** `while (first < $stop) { body; pointers += 4 bytes }`: the last 0–3 floats after a `vectorLoop`. */
function tailLoop(pointers: readonly string[], body: string[]): string {
  return [
    `(block $tail_done (loop $tail_top`,
    `  (br_if $tail_done (i32.ge_u ${get(pointers[0]!)} (local.get $stop)))`,
    ...body.map((l) => `  ${l}`),
    ...pointers.map((p) => `  (local.set $${p} (i32.add ${get(p)} (i32.const 4)))`),
    `  (br $tail_top)))`,
  ].join('\n');
}

/** e^x of one float, by the same polynomial as the vector loop (so a row's tail rounds like its body). */
const exp1 = (x: string): string => `(f32x4.extract_lane 0 (call $exp4 (f32x4.splat ${x})))`;

/**
 * e^x for four floats (Cephes expf: x = k·ln 2 + r with ln 2 split in two for an exact reduction, a degree-6
 * polynomial for e^r, 2^k built in the exponent bits). x is clamped to [−87, 88], the range where 2^k is a
 * normal float; relative error ≈ 1 ulp. The clamp uses pmin/pmax (one minps/maxps each on x64; the IEEE
 * f32x4.min/max lower to about seven instructions), x first so a NaN stays NaN. 2^k: k + 127 is an integer in
 * [1, 254], so adding 2^23 puts it in the low mantissa bits of a float, and a shift by 23 moves it into the
 * exponent field (exact, and cheaper than i32x4.trunc_sat_f32x4_s, which x64 has no single instruction for).
 */
/**
 * The statements of e^x for the four floats in local `x`, leaving the result in local `out`; locals `k`, `r`
 * and `p` are scratch. The vector loops inline it (V8 does not inline the call, and a call per four floats
 * costs as much as the polynomial); the tails call `$exp4`, the same statements as a function.
 */
function exp4Statements(variant: KernelVariant, x: string, out: string, k: string, r: string, p: string): string {
  return `(local.set $${x} (f32x4.pmax (f32x4.pmin ${get(x)} ${f32x4(88)}) ${f32x4(-87)}))
  (local.set $${k} (f32x4.nearest (f32x4.mul ${get(x)} ${f32x4(Math.LOG2E)})))
  (local.set $${r} ${negMulAdd(variant, get(k), f32x4(-2.1219444e-4), negMulAdd(variant, get(k), f32x4(0.693359375), get(x)))})
  (local.set $${p} ${f32x4(1.98756915e-4)})
  ${[1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]
    .map((c) => `(local.set $${p} ${mulAdd(variant, get(p), get(r), f32x4(c), { productFirst: true })})`)
    .join('\n  ')}
  (local.set $${p} (f32x4.add ${mulAdd(variant, get(p), `(f32x4.mul ${get(r)} ${get(r)})`, get(r), { productFirst: true })} ${f32x4(1)}))
  (local.set $${out} (f32x4.mul ${get(p)} (i32x4.shl (f32x4.add ${get(k)} ${f32x4(8388608 + 127)}) (i32.const 23))))`;
}

/** The locals `exp4Statements` uses in a vector loop (input `ex`, scratch `ek`, `er`, `ep`). */
const EXP_LOCALS = '(local $ex v128) (local $ek v128) (local $er v128) (local $ep v128)';

const exp4Function = (variant: KernelVariant): string => `
(func $exp4 (param $x v128) (result v128) (local $k v128) (local $r v128) (local $p v128)
  ${exp4Statements(variant, 'x', 'p', 'k', 'r', 'p')}
  (local.get $p))`;

/** Add the four lanes of an f32x4, widened to two f64x2 accumulators (so long sums keep float64 precision). */
const widenInto = (acc0: string, acc1: string, e: string): string[] => [
  `(local.set $${acc0} (f64x2.add ${get(acc0)} (f64x2.promote_low_f32x4 ${e})))`,
  `(local.set $${acc1} (f64x2.add ${get(acc1)} (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e}))))`,
];
const sumLanes = `(f64.add (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))
                 (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1))))`;

const functions = (variant: KernelVariant): string => `
;; max of n floats at p (−inf for none; NaN if any is NaN). The loop takes pmax (one maxps; the IEEE f32x4.max
;; is about seven instructions on x64) and keeps a separate NaN flag (v ≠ v), since pmax may drop a NaN.
(func $max (export "max") (param $p i32) (param $n i32) (result f32) (local $end i32) (local $stop i32) (local $acc v128) (local $nan v128) (local $v v128) (local $m f32)
  (local.set $stop (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $m (f32.const -inf))
  (if (i32.ge_u (local.get $n) (i32.const 4)) (then
    (local.set $acc (v128.load (local.get $p)))
    ${vectorLoop(['p'], N4, [
      '(local.set $v (v128.load (local.get $p)))',
      '(local.set $acc (f32x4.pmax (local.get $acc) (local.get $v)))',
      '(local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))',
    ])}
    (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                           (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (if (v128.any_true (local.get $nan)) (then (local.set $m (f32.const nan))))))
  ${tailLoop(['p'], ['(local.set $m (f32.max (local.get $m) (f32.load (local.get $p))))'])}
  (local.get $m))

;; dst[i] = exp(src[i] − shift) for n floats; returns Σ dst[i] (float64). dst may be src.
(func $exp_sum (export "exp_sum") (param $src i32) (param $dst i32) (param $n i32) (param $shift f32) (result f64)
  (local $end i32) (local $stop i32) (local $e v128) ${EXP_LOCALS} (local $acc0 v128) (local $acc1 v128) (local $s v128) (local $x f32) (local $sum f64)
  (local.set $stop (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $s (f32x4.splat (local.get $shift)))
  ${vectorLoop(['src', 'dst'], N4, [
    '(local.set $ex (f32x4.sub (v128.load (local.get $src)) (local.get $s)))',
    exp4Statements(variant, 'ex', 'e', 'ek', 'er', 'ep'),
    '(v128.store (local.get $dst) (local.get $e))',
    ...widenInto('acc0', 'acc1', '(local.get $e)'),
  ])}
  (local.set $sum ${sumLanes})
  ${tailLoop(
    ['src', 'dst'],
    [
      `(local.set $x ${exp1('(f32.sub (f32.load (local.get $src)) (local.get $shift))')})`,
      '(f32.store (local.get $dst) (local.get $x))',
      '(local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (local.get $x))))',
    ],
  )}
  (local.get $sum))

;; Σ exp(src[i] − shift) over n floats (float64), nothing written
(func $sum_exp (export "sum_exp") (param $src i32) (param $n i32) (param $shift f32) (result f64)
  (local $end i32) (local $stop i32) (local $e v128) ${EXP_LOCALS} (local $acc0 v128) (local $acc1 v128) (local $s v128) (local $sum f64)
  (local.set $stop (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $s (f32x4.splat (local.get $shift)))
  ${vectorLoop(['src'], N4, [
    '(local.set $ex (f32x4.sub (v128.load (local.get $src)) (local.get $s)))',
    exp4Statements(variant, 'ex', 'e', 'ek', 'er', 'ep'),
    ...widenInto('acc0', 'acc1', '(local.get $e)'),
  ])}
  (local.set $sum ${sumLanes})
  ${tailLoop(['src'], [`(local.set $sum (f64.add (local.get $sum) (f64.promote_f32 ${exp1('(f32.sub (f32.load (local.get $src)) (local.get $shift))')})))`])}
  (local.get $sum))

;; p[i] *= k over n floats
(func $scale (export "scale") (param $p i32) (param $n i32) (param $k f32) (local $end i32) (local $stop i32) (local $s v128)
  (local.set $stop (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $s (f32x4.splat (local.get $k)))
  ${vectorLoop(['p'], N4, ['(v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $s)))'])}
  ${tailLoop(['p'], ['(f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $k)))'])})

;; Σ p[i]² over n floats, squared and summed in float64 (the global norm of gradient clipping)
(func (export "sum_squares") (param $p i32) (param $n i32) (result f64)
  (local $end i32) (local $stop i32) (local $e v128) (local $lo v128) (local $hi v128) (local $acc0 v128) (local $acc1 v128) (local $x f64) (local $sum f64)
  (local.set $stop (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
  ${vectorLoop(['p'], N4, [
    '(local.set $e (v128.load (local.get $p)))',
    '(local.set $lo (f64x2.promote_low_f32x4 (local.get $e)))',
    '(local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e))))',
    `(local.set $acc0 ${mulAdd(variant, get('lo'), get('lo'), get('acc0'), { lanes: 'f64x2' })})`,
    `(local.set $acc1 ${mulAdd(variant, get('hi'), get('hi'), get('acc1'), { lanes: 'f64x2' })})`,
  ])}
  (local.set $sum ${sumLanes})
  ${tailLoop(
    ['p'],
    ['(local.set $x (f64.promote_f32 (f32.load (local.get $p))))', '(local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $x) (local.get $x))))'],
  )}
  (local.get $sum))

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

;; dst[r·stride + j] += src[j] for r < rows, j < n (stride in bytes): a bias added to every row
(func (export "add_rows") (param $dst i32) (param $src i32) (param $rows i32) (param $n i32) (param $stride i32)
  (local $end i32) (local $stop i32) (local $d i32) (local $s i32)
  (block $rows_done (loop $rows_top
    (br_if $rows_done (i32.eqz (local.get $rows)))
    (local.set $d (local.get $dst))
    (local.set $s (local.get $src))
    (local.set $stop (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const 2))))
    ${vectorLoop(['d', 's'], N4, ['(v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))'])}
    ${tailLoop(['d', 's'], ['(f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))'])}
    (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
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
    `(local.set $gv ${mulAdd(variant, get('WD'), get('pv'), '(v128.load (local.get $g))')})`,
    `(local.set $mv ${mulAdd(variant, get('B1'), '(v128.load (local.get $m))', '(f32x4.mul (local.get $C1) (local.get $gv))', { productFirst: true })})`,
    `(local.set $vv ${mulAdd(variant, get('B2'), '(v128.load (local.get $v))', '(f32x4.mul (f32x4.mul (local.get $C2) (local.get $gv)) (local.get $gv))', { productFirst: true })})`,
    '(v128.store (local.get $m) (local.get $mv))',
    '(v128.store (local.get $v) (local.get $vv))',
    `(v128.store (local.get $p) (f32x4.sub (local.get $pv) (f32x4.div (f32x4.mul (local.get $STEP) (local.get $mv)) ${mulAdd(variant, '(f32x4.sqrt (local.get $vv))', get('INV'), get('EPS'), { productFirst: true })})))`,
  ])})
`;

/**
 * A softmax cross-entropy pass shared between threads (`threads.ts`), as i32 words at `job` in kernel memory:
 * logits z [rows × cols] and the gradient dz written over them or beside them (byte pointers), int32 targets,
 * and `out`, three float64 per row [max, Σ exp(z − max), z_target] from which the caller sums the loss in row
 * order (the same sum whichever thread did a row). Chunk i is rows [i·blockRows, min(rows, (i + 1)·blockRows));
 * `scale` (the gradient's factor, 1/count for a mean loss) is a float64 at word 12. With `gradient` 0 only
 * `out` is written (scoring: log p(target) = z_target − max − ln Σ, two passes per row instead of three).
 */
export const SOFTMAX_JOB = {
  ...JOB_HEAD,
  z: 3,
  dz: 4,
  targets: 5,
  out: 6,
  rows: 7,
  cols: 8,
  ignore: 9,
  blockRows: 10,
  gradient: 11,
  scale: 12,
  words: 14,
} as const;

/** Float64 words per row of a softmax pass's `out`. */
export const SOFTMAX_OUT = 3;

function softmaxJob(): string {
  const field = (name: keyof typeof SOFTMAX_JOB): string => `(i32.load offset=${SOFTMAX_JOB[name] * 4} (local.get $job))`;
  return `
;; Softmax cross-entropy fused with its gradient over rows [r, r1) (cross-entropy.ts has the math): per row the
;; max, the exponentials written into dz with their float64 sum, dz scaled to scale·softmax, dz[t] −= scale.
;; A row whose target is \`ignore\` gets a zero gradient and out [0, 1, 0] (no loss). With $gradient 0, dz is
;; not touched: out only, its sum by sum_exp (nothing written).
(func $softmax_ce_rows (export "softmax_ce_rows") (param $z i32) (param $dz i32) (param $targets i32) (param $out i32)
  (param $r i32) (param $r1 i32) (param $cols i32) (param $scale f64) (param $ignore i32) (param $gradient i32)
  (local $bytes i32) (local $row i32) (local $drow i32) (local $o i32) (local $t i32) (local $d i32) (local $max f32) (local $sum f64)
  (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
  (block $rows_done (loop $rows_top
    (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
    (local.set $row (i32.add (local.get $z) (i32.mul (local.get $r) (local.get $bytes))))
    (local.set $drow (i32.add (local.get $dz) (i32.mul (local.get $r) (local.get $bytes))))
    (local.set $o (i32.add (local.get $out) (i32.mul (local.get $r) (i32.const ${8 * SOFTMAX_OUT}))))
    (local.set $t (i32.load (i32.add (local.get $targets) (i32.shl (local.get $r) (i32.const 2)))))
    (if (i32.eq (local.get $t) (local.get $ignore))
      (then
        (if (local.get $gradient) (then (memory.fill (local.get $drow) (i32.const 0) (local.get $bytes))))
        (f64.store (local.get $o) (f64.const 0))
        (f64.store offset=8 (local.get $o) (f64.const 1))
        (f64.store offset=16 (local.get $o) (f64.const 0)))
      (else
        (local.set $max (call $max (local.get $row) (local.get $cols)))
        ;; z_t before the exponentials overwrite it (dz may be z)
        (f64.store offset=16 (local.get $o) (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $t) (i32.const 2))))))
        (if (local.get $gradient)
          (then
            (local.set $sum (call $exp_sum (local.get $row) (local.get $drow) (local.get $cols) (local.get $max)))
            (call $scale (local.get $drow) (local.get $cols) (f32.demote_f64 (f64.div (local.get $scale) (local.get $sum))))
            (local.set $d (i32.add (local.get $drow) (i32.shl (local.get $t) (i32.const 2))))
            (f32.store (local.get $d) (f32.demote_f64 (f64.sub (f64.promote_f32 (f32.load (local.get $d))) (local.get $scale)))))
          (else (local.set $sum (call $sum_exp (local.get $row) (local.get $cols) (local.get $max)))))
        (f64.store (local.get $o) (f64.promote_f32 (local.get $max)))
        (f64.store offset=8 (local.get $o) (local.get $sum))))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rows_top))))

(func $softmax_chunk (param $job i32) (param $chunk i32) (param $work i32) (local $r i32) (local $r1 i32)
  (local.set $r (i32.mul (local.get $chunk) ${field('blockRows')}))
  (local.set $r1 (i32.add (local.get $r) ${field('blockRows')}))
  (if (i32.gt_u (local.get $r1) ${field('rows')}) (then (local.set $r1 ${field('rows')})))
  (call $softmax_ce_rows ${field('z')} ${field('dz')} ${field('targets')} ${field('out')} (local.get $r) (local.get $r1) ${field('cols')}
    (f64.load offset=${SOFTMAX_JOB.scale * 4} (local.get $job)) ${field('ignore')} ${field('gradient')}))
${claimLoop('softmax_ce_work', 'softmax_chunk')}`;
}

/**
 * The whole module's text. The memory is the kernels' shared arena (`kernels/arena.ts`), imported. `variant`
 * 'relaxed' computes the multiply-adds of e^x (the range reduction and the Horner steps), of Adam and of the
 * float64 sum of squares with relaxed SIMD (`variant-wat.ts`).
 */
export function vectorWat(variant: KernelVariant = 'simd'): string {
  return `(module
(import "env" "memory" (memory 1 65536 shared))
${exp4Function(variant)}
${functions(variant)}
${softmaxJob()})
`;
}
