import { claimLoop, JOB_HEAD } from './job-wat.ts';
import { mulAdd, type KernelVariant } from './variant-wat.ts';

/**
 * The source of the float32 matrix kernels: this module writes them as WebAssembly text (SIMD f32x4,
 * shared memory), and `build.ts` assembles that text into `gemm.wasm` with the npm `wabt` package.
 * Generating the text from TypeScript keeps the register-tiled micro-kernel (MR×NR accumulators,
 * per k step) one parametrised function instead of hundreds of hand-copied lines.
 *
 * The algorithm is the Goto/BLIS layered GEMM (Goto & van de Geijn 2008, "Anatomy of high-performance
 * matrix multiplication"; Van Zee & van de Geijn 2015, BLIS): C (+)= op(A)·op(B) with A and B given by
 * element strides, so one driver serves A·B, A·Bᵀ and Aᵀ·B.
 *
 *   for jc in 0..n step NC                 B block of NC columns
 *     for pc in 0..k step KC               K block: pack B[pc:pc+KC, jc:jc+NC] as NR-wide panels (L2/L3)
 *       for ic in 0..m step MC             pack A[ic:ic+MC, pc:pc+KC] as MR-tall panels (L2)
 *         for jr, ir                       micro-kernel: MR×NR tile of C in registers over KC steps (L1)
 *
 * Packed panels are p-major ([p][MR] and [p][NR]) and zero-padded to full tiles, so the micro-kernel
 * never branches on shape; tiles that stick out of C go through a small scratch tile. Products of
 * fewer than MR rows skip packing (`dot_rows`, `axpy_rows`), and `gemm_work` lets several threads
 * share one product (`JOB`, driven by `threads.ts`).
 */

export interface Blocking {
  /** Micro-tile rows (a multiple of 4: A panels are packed with 4×4 transposes). */
  mr: number;
  /** Micro-tile columns (a multiple of 4: one f32x4 accumulator per 4 columns and row). */
  nr: number;
  kc: number;
  mc: number;
  nc: number;
  /**
   * Products of at most `directRows` rows and `directCols` columns read row-major B in place instead
   * of packing it: a copy of B per block is more than so few rows of A pay back. Wider B is packed
   * all the same, because rows of B far apart (power-of-two strides) alias in L1 when read in place.
   */
  directRows: number;
  directCols: number;
}

/**
 * Measured on this machine (V8 11.3, every variant timed in one process): 4×8 with no unrolling reaches ~30
 * GFLOP/s; unrolling k (2×, 4×: 19, 14) or wider tiles (4×12, 4×16, 8×8) make TurboFan spill accumulators and
 * fall to 14–23. Cache blocks barely matter here (2 MiB of L2 per core).
 */
export const BLOCKING: Blocking = { mr: 4, nr: 8, kc: 256, mc: 128, nc: 2048, directRows: 64, directCols: 512 };

const get = (x: string): string => `(local.get $${x})`;
const set = (x: string, e: string): string => `(local.set $${x} ${e})`;
const c32 = (n: number): string => `(i32.const ${n})`;
const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string): string => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string): string => `(i32.mul ${a} ${b})`;
const minU = (a: string, b: string): string => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
const locals = (type: string, names: readonly string[]): string => names.map((n) => `(local $${n} ${type})`).join(' ');
const params = (names: readonly string[]): string => names.map((n) => `(param $${n} i32)`).join(' ');

/** `for (v = from; v < end; v += step) body` with unsigned compares. */
function forLoop(v: string, from: string, end: string, step: string, body: string[]): string {
  return [
    set(v, from),
    `(block $${v}_end (loop $${v}_top`,
    `  (br_if $${v}_end (i32.ge_u ${get(v)} ${end}))`,
    ...body.map((l) => `  ${l}`),
    `  ${set(v, add(get(v), step))}`,
    `  (br $${v}_top)))`,
  ].join('\n');
}

/** Byte lanes of `i8x16.shuffle` that pick 32-bit lanes `lanes` (0–3 from the first operand, 4–7 from the second). */
function shuffle32(lanes: readonly number[], a: string, b: string): string {
  const bytes = lanes.flatMap((l) => [0, 1, 2, 3].map((q) => l * 4 + q));
  return `(i8x16.shuffle ${bytes.join(' ')} ${a} ${b})`;
}

/** Transpose the 4×4 block in v128 locals r0..r3 (rows) into o0..o3 (columns), through t0..t3. */
function transpose4(r: readonly string[], o: readonly string[]): string[] {
  return [
    set('t0', shuffle32([0, 4, 1, 5], get(r[0]!), get(r[1]!))),
    set('t1', shuffle32([2, 6, 3, 7], get(r[0]!), get(r[1]!))),
    set('t2', shuffle32([0, 4, 1, 5], get(r[2]!), get(r[3]!))),
    set('t3', shuffle32([2, 6, 3, 7], get(r[2]!), get(r[3]!))),
    set(o[0]!, shuffle32([0, 1, 4, 5], get('t0'), get('t2'))),
    set(o[1]!, shuffle32([2, 3, 6, 7], get('t0'), get('t2'))),
    set(o[2]!, shuffle32([0, 1, 4, 5], get('t1'), get('t3'))),
    set(o[3]!, shuffle32([2, 3, 6, 7], get('t1'), get('t3'))),
  ];
}

/**
 * The micro-kernel: C[MR×NR] (+)= Ap[kc×MR]ᵀ · B[kc×NR], with one f32x4 accumulator per row and 4
 * columns; per k step NR/4 vector loads of B, MR broadcast loads of A and MR·NR/4 multiply-adds.
 * B rows are `bstep` bytes apart: NR·4 in a packed panel, the row stride when read in place.
 * `ldc` is in bytes; `beta` = 0 overwrites C, 1 adds to it.
 */
function microKernel({ mr, nr }: Blocking, variant: KernelVariant): string {
  const nv = nr / 4;
  const acc = (r: number, v: number): string => `c${r}_${v}`;
  const accs: string[] = [];
  for (let r = 0; r < mr; r++) for (let v = 0; v < nv; v++) accs.push(acc(r, v));
  const bs = Array.from({ length: nv }, (_, v) => `b${v}`);
  const step: string[] = bs.map((b, v) => set(b, `(v128.load offset=${16 * v} ${get('bp')})`));
  for (let r = 0; r < mr; r++) {
    step.push(set('a', `(v128.load32_splat offset=${4 * r} ${get('ap')})`));
    for (let v = 0; v < nv; v++) step.push(set(acc(r, v), mulAdd(variant, get('a'), get(bs[v]!), get(acc(r, v)))));
  }
  step.push(set('ap', add(get('ap'), c32(mr * 4))), set('bp', add(get('bp'), get('bstep'))));
  const store = (beta: boolean): string[] => {
    const lines: string[] = [set('row', get('c'))];
    for (let r = 0; r < mr; r++) {
      for (let v = 0; v < nv; v++) {
        const value = beta ? `(f32x4.add (v128.load offset=${16 * v} ${get('row')}) ${get(acc(r, v))})` : get(acc(r, v));
        lines.push(`(v128.store offset=${16 * v} ${get('row')} ${value})`);
      }
      if (r + 1 < mr) lines.push(set('row', add(get('row'), get('ldc'))));
    }
    return lines;
  };
  return `
(func $kernel ${params(['kc', 'ap', 'bp', 'bstep', 'c', 'ldc', 'beta'])}
  ${locals('v128', ['a', ...bs, ...accs])} (local $row i32)
  (loop $step
${step.map((l) => `    ${l}`).join('\n')}
    (br_if $step (local.tee $kc ${sub(get('kc'), c32(1))})))
  (if ${get('beta')}
    (then
${store(true)
  .map((l) => `      ${l}`)
  .join('\n')})
    (else
${store(false)
  .map((l) => `      ${l}`)
  .join('\n')})))`;
}

/** Add (beta = 1) or copy (beta = 0) the top-left mr×nr corner of the scratch tile into C. */
function edgeStore({ nr }: Blocking): string {
  const src = add(get('tile'), mul(add(mul(get('i'), c32(nr)), get('j')), c32(4)));
  const dst = add(add(get('c'), mul(get('i'), get('ldc'))), mul(get('j'), c32(4)));
  return `
(func $edge_store ${params(['mr', 'nr', 'tile', 'c', 'ldc', 'beta'])} (local $i i32) (local $j i32) (local $d i32)
${forLoop('i', c32(0), get('mr'), c32(1), [
  forLoop('j', c32(0), get('nr'), c32(1), [
    set('d', dst),
    `(f32.store ${get('d')} (f32.add (f32.load ${src}) (select (f32.load ${get('d')}) (f32.const 0) ${get('beta')})))`,
  ]),
])})`;
}

/**
 * Pack `count` lanes × `kc` steps of an operand into `width`-lane panels [p][width], zero-padding the
 * last panel. Lane l at step p is at src + l·across + p·along (bytes). For A the lanes are rows
 * (across = rsa, along = csa), for B columns (across = csb, along = rsb), so one routine packs both:
 * when steps are contiguous (along = 4: row-major A, or Bᵀ in A·Bᵀ) it goes through 4×4 transposes,
 * when lanes are contiguous (across = 4: Aᵀ in Aᵀ·B, row-major B) through straight vector copies.
 * (Copying B row by row across panels instead was tried: panels 4 KiB apart alias in L1 and lose.)
 */
function packPanels(name: string, width: number): string {
  const lanes = Array.from({ length: width }, (_, l) => `l${l}`);
  const dstRow = add(get('dst'), mul(get('p'), c32(width * 4)));
  const transposing: string[] = lanes.map((l, i) => set(l, add(get('src'), mul(c32(i), get('across')))));
  const quad: string[] = [];
  for (let g = 0; g < width / 4; g++) {
    for (let q = 0; q < 4; q++) quad.push(set(`x${q}`, `(v128.load ${add(get(lanes[4 * g + q]!), mul(get('p'), c32(4)))})`));
    quad.push(...transpose4(['x0', 'x1', 'x2', 'x3'], ['y0', 'y1', 'y2', 'y3']));
    for (let t = 0; t < 4; t++) quad.push(`(v128.store offset=${(t * width + 4 * g) * 4} ${dstRow} ${get(`y${t}`)})`);
  }
  // Steps left over after the last group of 4: scalar copies.
  const tail = lanes.map((l, i) => `(f32.store offset=${i * 4} ${dstRow} (f32.load ${add(get(l), mul(get('p'), c32(4)))}))`);
  transposing.push(
    set('p', c32(0)),
    `(block $quad_end (loop $quad_top`,
    `  (br_if $quad_end (i32.gt_u ${add(get('p'), c32(4))} ${get('kc')}))`,
    ...quad,
    `  ${set('p', add(get('p'), c32(4)))}`,
    `  (br $quad_top)))`,
    `(block $ptail_end (loop $ptail_top`,
    `  (br_if $ptail_end (i32.ge_u ${get('p')} ${get('kc')}))`,
    ...tail,
    `  ${set('p', add(get('p'), c32(1)))}`,
    `  (br $ptail_top)))`,
  );
  const copying = forLoop(
    'p',
    c32(0),
    get('kc'),
    c32(1),
    Array.from(
      { length: width / 4 },
      (_, v) => `(v128.store offset=${16 * v} ${dstRow} (v128.load offset=${16 * v} ${add(get('src'), mul(get('p'), get('along')))}))`,
    ),
  );
  const generic = forLoop('p', c32(0), get('kc'), c32(1), [
    forLoop('l', c32(0), c32(width), c32(1), [
      `(f32.store ${add(dstRow, mul(get('l'), c32(4)))} (if (result f32) (i32.lt_u ${get('l')} ${get('full')}) (then (f32.load ${add(add(get('src'), mul(get('l'), get('across'))), mul(get('p'), get('along')))})) (else (f32.const 0))))`,
    ]),
  ]);
  return `
(func $${name} ${params(['count', 'kc', 'from', 'across', 'along', 'dst'])}
  (local $first i32) (local $full i32) (local $src i32) (local $p i32) (local $l i32) ${locals('i32', lanes)}
  ${locals('v128', ['x0', 'x1', 'x2', 'x3', 'y0', 'y1', 'y2', 'y3', 't0', 't1', 't2', 't3'])}
${forLoop('first', c32(0), get('count'), c32(width), [
  set('full', minU(c32(width), sub(get('count'), get('first')))),
  set('src', add(get('from'), mul(get('first'), get('across')))),
  `(if (i32.and (i32.eq ${get('full')} ${c32(width)}) (i32.eq ${get('along')} ${c32(4)}))`,
  `  (then\n${transposing.join('\n')})`,
  `  (else (if (i32.and (i32.eq ${get('full')} ${c32(width)}) (i32.eq ${get('across')} ${c32(4)}))`,
  `    (then\n${copying})`,
  `    (else\n${generic}))))`,
  set('dst', add(get('dst'), mul(get('kc'), c32(width * 4)))),
])})`;
}

/** C(+)= value at `addr` (a v128), by beta. */
const storeC = (addr: string, value: string): string =>
  `(v128.store ${addr} (if (result v128) ${get('beta')} (then (f32x4.add (v128.load ${addr}) ${value})) (else ${value})))`;
const storeCScalar = (addr: string, value: string): string =>
  `(f32.store ${addr} (if (result f32) ${get('beta')} (then (f32.add (f32.load ${addr}) ${value})) (else ${value})))`;

/**
 * Products with fewer rows than a micro-tile (scoring one token: h·Wᵀ) are memory-bound on B, and
 * packing B would touch it twice: these run straight on the unpacked operands instead.
 * `dot_rows` is for A·Bᵀ (both contiguous along k): four dot products at a time, reduced by a 4×4
 * transpose. Strides in bytes.
 */
function dotRows(variant: KernelVariant): string {
  const bq = ['q0', 'q1', 'q2', 'q3'];
  const accs = ['x0', 'x1', 'x2', 'x3'];
  const sums = ['s0', 's1', 's2', 's3'];
  const kBytes = mul(get('k'), c32(4));
  return `
(func $dot_rows ${params(['m', 'n', 'k', 'a', 'rsa', 'b', 'csb', 'c', 'ldc', 'beta'])}
  (local $i i32) (local $j i32) (local $p i32) (local $arow i32) (local $crow i32) (local $kv i32) (local $av v128) (local $x f32) (local $r v128)
  ${locals('i32', bq)} ${locals('v128', [...accs, 'y0', 'y1', 'y2', 'y3', 't0', 't1', 't2', 't3'])} ${locals('f32', sums)}
  ${set('kv', `(i32.and ${kBytes} (i32.const -16))`)}
${forLoop('i', c32(0), get('m'), c32(1), [
  set('arow', add(get('a'), mul(get('i'), get('rsa')))),
  set('crow', add(get('c'), mul(get('i'), get('ldc')))),
  set('j', c32(0)),
  `(block $quad_end (loop $quad_top`,
  `  (br_if $quad_end (i32.gt_u ${add(get('j'), c32(4))} ${get('n')}))`,
  ...bq.map((q, t) => set(q, add(get('b'), mul(add(get('j'), c32(t)), get('csb'))))),
  ...accs.map((x) => set(x, '(v128.const i32x4 0 0 0 0)')),
  ...sums.map((x) => set(x, '(f32.const 0)')),
  forLoop('p', c32(0), get('kv'), c32(16), [
    set('av', `(v128.load ${add(get('arow'), get('p'))})`),
    ...accs.map((x, t) => set(x, mulAdd(variant, get('av'), `(v128.load ${add(get(bq[t]!), get('p'))})`, get(x)))),
  ]),
  forLoop('p', get('kv'), kBytes, c32(4), [
    set('x', `(f32.load ${add(get('arow'), get('p'))})`),
    ...sums.map((x, t) => set(x, `(f32.add ${get(x)} (f32.mul ${get('x')} (f32.load ${add(get(bq[t]!), get('p'))})))`)),
  ]),
  ...transpose4(accs, ['y0', 'y1', 'y2', 'y3']),
  set('r', `(f32x4.add (f32x4.add ${get('y0')} ${get('y1')}) (f32x4.add ${get('y2')} ${get('y3')}))`),
  set('r', `(f32x4.add ${get('r')} ${sums.reduce((v, x, t) => `(f32x4.replace_lane ${t} ${v} ${get(x)})`, '(v128.const i32x4 0 0 0 0)')})`),
  storeC(add(get('crow'), mul(get('j'), c32(4))), get('r')),
  `  ${set('j', add(get('j'), c32(4)))}`,
  `  (br $quad_top)))`,
  forLoop('j', get('j'), get('n'), c32(1), [
    set('q0', add(get('b'), mul(get('j'), get('csb')))),
    set('x', '(f32.const 0)'),
    forLoop('p', c32(0), kBytes, c32(4), [
      set('x', `(f32.add ${get('x')} (f32.mul (f32.load ${add(get('arow'), get('p'))}) (f32.load ${add(get('q0'), get('p'))})))`),
    ]),
    storeCScalar(add(get('crow'), mul(get('j'), c32(4))), get('x')),
  ]),
])})`;
}

/**
 * `axpy_rows` is for A·B and Aᵀ·B with few rows (B contiguous along n): each row of C is built as
 * Σ_p a_ip·B[p, :] in strips of 16, then 4, then single columns. Strides in bytes.
 */
function axpyRows(variant: KernelVariant): string {
  const strip = (width: number): string[] => {
    const accs = Array.from({ length: width / 4 }, (_, v) => `x${v}`);
    return [
      `(block $s${width}_end (loop $s${width}_top`,
      `  (br_if $s${width}_end (i32.gt_u ${add(get('j'), c32(width))} ${get('n')}))`,
      ...accs.map((x) => set(x, '(v128.const i32x4 0 0 0 0)')),
      set('ap', get('arow')),
      set('bp', add(get('b'), mul(get('j'), c32(4)))),
      forLoop('p', c32(0), get('k'), c32(1), [
        set('av', `(v128.load32_splat ${get('ap')})`),
        ...accs.map((x, v) => set(x, mulAdd(variant, get('av'), `(v128.load offset=${16 * v} ${get('bp')})`, get(x)))),
        set('ap', add(get('ap'), get('csa'))),
        set('bp', add(get('bp'), get('rsb'))),
      ]),
      ...accs.map((x, v) => storeC(add(get('crow'), mul(add(get('j'), c32(4 * v)), c32(4))), get(x))),
      `  ${set('j', add(get('j'), c32(width)))}`,
      `  (br $s${width}_top)))`,
    ];
  };
  return `
(func $axpy_rows ${params(['m', 'n', 'k', 'a', 'rsa', 'csa', 'b', 'rsb', 'c', 'ldc', 'beta'])}
  (local $i i32) (local $j i32) (local $p i32) (local $arow i32) (local $crow i32) (local $ap i32) (local $bp i32) (local $av v128) (local $s f32)
  ${locals('v128', ['x0', 'x1', 'x2', 'x3'])}
${forLoop('i', c32(0), get('m'), c32(1), [
  set('arow', add(get('a'), mul(get('i'), get('rsa')))),
  set('crow', add(get('c'), mul(get('i'), get('ldc')))),
  set('j', c32(0)),
  ...strip(16),
  ...strip(4),
  forLoop('j', get('j'), get('n'), c32(1), [
    set('s', '(f32.const 0)'),
    forLoop('p', c32(0), get('k'), c32(1), [
      set(
        's',
        `(f32.add ${get('s')} (f32.mul (f32.load ${add(get('arow'), mul(get('p'), get('csa')))}) (f32.load ${add(add(get('b'), mul(get('p'), get('rsb'))), mul(get('j'), c32(4)))})))`,
      ),
    ]),
    storeCScalar(add(get('crow'), mul(get('j'), c32(4))), get('s')),
  ]),
])})`;
}

/**
 * The driver: C[m×n] (+)= op(A)·op(B), op(A)(i, p) = A[a + i·rsa + p·csa], op(B)(p, j) = B[b + p·rsb + j·csb],
 * C(i, j) = C[c + i·ldc + j]; pointers in bytes, strides in elements. `work` points at this thread's
 * `work_bytes()` of scratch (packed A block, packed B block, edge tile).
 */
function driver(bl: Blocking): string {
  const { mr, nr, kc, mc, nc, directRows, directCols } = bl;
  const apBytes = mc * kc * 4;
  const bpBytes = kc * nc * 4;
  return `
(func (export "work_bytes") (result i32) ${c32(apBytes + bpBytes + mr * nr * 4)})
(func $gemm (export "gemm") ${params(['m', 'n', 'k', 'a', 'rsa', 'csa', 'b', 'rsb', 'csb', 'c', 'ldc', 'beta', 'work'])}
  (local $ap i32) (local $bp i32) (local $tile i32) (local $jc i32) (local $pc i32) (local $ic i32) (local $jr i32) (local $ir i32)
  (local $ncb i32) (local $kcb i32) (local $mcb i32) (local $mrb i32) (local $nrb i32) (local $bet i32) (local $cp i32) (local $apanel i32) (local $bpanel i32)
  (local $direct i32) (local $bstep i32)
  ${set('rsa', mul(get('rsa'), c32(4)))} ${set('csa', mul(get('csa'), c32(4)))}
  ${set('rsb', mul(get('rsb'), c32(4)))} ${set('csb', mul(get('csb'), c32(4)))}
  ${set('ldc', mul(get('ldc'), c32(4)))}
  (if (i32.lt_u ${get('m')} ${c32(mr)}) (then
    (if (i32.and (i32.eq ${get('csa')} ${c32(4)}) (i32.eq ${get('rsb')} ${c32(4)})) (then
      (call $dot_rows ${['m', 'n', 'k', 'a', 'rsa', 'b', 'csb', 'c', 'ldc', 'beta'].map(get).join(' ')})
      (return)))
    (if (i32.eq ${get('csb')} ${c32(4)}) (then
      (call $axpy_rows ${['m', 'n', 'k', 'a', 'rsa', 'csa', 'b', 'rsb', 'c', 'ldc', 'beta'].map(get).join(' ')})
      (return)))))
  ${set('ap', get('work'))} ${set('bp', add(get('work'), c32(apBytes)))} ${set('tile', add(get('work'), c32(apBytes + bpBytes)))}
  ${set('direct', `(i32.and (i32.eq ${get('csb')} ${c32(4)}) (i32.and (i32.le_u ${get('m')} ${c32(directRows)}) (i32.le_u ${get('n')} ${c32(directCols)})))`)}
${forLoop('jc', c32(0), get('n'), c32(nc), [
  set('ncb', minU(c32(nc), sub(get('n'), get('jc')))),
  forLoop('pc', c32(0), get('k'), c32(kc), [
    set('kcb', minU(c32(kc), sub(get('k'), get('pc')))),
    `(if (i32.eqz ${get('direct')}) (then`,
    `  (call $pack_b ${get('ncb')} ${get('kcb')} ${add(add(get('b'), mul(get('pc'), get('rsb'))), mul(get('jc'), get('csb')))} ${get('csb')} ${get('rsb')} ${get('bp')})))`,
    set('bet', `(i32.or ${get('beta')} (i32.ne ${get('pc')} (i32.const 0)))`),
    forLoop('ic', c32(0), get('m'), c32(mc), [
      set('mcb', minU(c32(mc), sub(get('m'), get('ic')))),
      `(call $pack_a ${get('mcb')} ${get('kcb')} ${add(add(get('a'), mul(get('ic'), get('rsa'))), mul(get('pc'), get('csa')))} ${get('rsa')} ${get('csa')} ${get('ap')})`,
      forLoop('jr', c32(0), get('ncb'), c32(nr), [
        set('nrb', minU(c32(nr), sub(get('ncb'), get('jr')))),
        set('bpanel', add(get('bp'), mul(get('jr'), mul(get('kcb'), c32(4))))),
        set('bstep', c32(nr * 4)),
        `(if ${get('direct')} (then`,
        `  ${set('bpanel', add(add(get('b'), mul(get('pc'), get('rsb'))), mul(add(get('jc'), get('jr')), c32(4))))}`,
        `  (if (i32.eq ${get('nrb')} ${c32(nr)})`,
        `    (then ${set('bstep', get('rsb'))})`,
        `    (else (call $pack_b ${get('nrb')} ${get('kcb')} ${get('bpanel')} ${c32(4)} ${get('rsb')} ${get('bp')}) ${set('bpanel', get('bp'))}))))`,
        forLoop('ir', c32(0), get('mcb'), c32(mr), [
          set('mrb', minU(c32(mr), sub(get('mcb'), get('ir')))),
          set('apanel', add(get('ap'), mul(get('ir'), mul(get('kcb'), c32(4))))),
          set('cp', add(add(get('c'), mul(add(get('ic'), get('ir')), get('ldc'))), mul(add(get('jc'), get('jr')), c32(4)))),
          `(if (i32.and (i32.eq ${get('mrb')} ${c32(mr)}) (i32.eq ${get('nrb')} ${c32(nr)}))`,
          `  (then (call $kernel ${get('kcb')} ${get('apanel')} ${get('bpanel')} ${get('bstep')} ${get('cp')} ${get('ldc')} ${get('bet')}))`,
          `  (else`,
          `    (call $kernel ${get('kcb')} ${get('apanel')} ${get('bpanel')} ${get('bstep')} ${get('tile')} ${c32(nr * 4)} (i32.const 0))`,
          `    (call $edge_store ${get('mrb')} ${get('nrb')} ${get('tile')} ${get('cp')} ${get('ldc')} ${get('bet')})))`,
        ]),
      ]),
    ]),
  ]),
])})`;
}

/**
 * A product shared between threads, as i32 words at `job` in kernel memory. C is cut into `chunks` blocks
 * of rows (split 0) or columns (split 1), block i from `starts[i]` to `starts[i + 1]`; threads claim
 * blocks in order with a ticket `next` = (sequence
 * << 12) | block, so a thread that wakes late for an old job can never claim a block of a new one: the
 * compare-and-swap fails once the ticket moved on. `done` counts finished blocks; `wake` is the futex
 * word that sleeping workers wait on; `failed` is set by a worker whose kernel threw; `workerBlocks`
 * counts the blocks worker threads did (a statistic for tests and benchmarks).
 */
export const JOB = {
  ...JOB_HEAD,
  split: 3,
  m: 5,
  n: 6,
  k: 7,
  a: 8,
  rsa: 9,
  csa: 10,
  b: 11,
  rsb: 12,
  csb: 13,
  c: 14,
  ldc: 15,
  beta: 16,
  wake: 17,
  failed: 18,
  workerBlocks: 19,
  starts: 20,
  words: 20 + 64 + 1,
} as const;
/** At most this many blocks per product (the size of `starts`, less its closing entry). */
export const MAX_BLOCKS = 64;

function jobs(): string {
  const field = (name: keyof typeof JOB): string => `(i32.load offset=${JOB[name] * 4} ${get('job')})`;
  const gemmArgs = ['m', 'n', 'k', 'a', 'rsa', 'csa', 'b', 'rsb', 'csb', 'c', 'ldc', 'beta'] as const;
  return `
(func $gemm_chunk ${params(['job', 'chunk', 'work'])} ${locals('i32', [...gemmArgs, 'start', 'size', 'entry'])}
  ${gemmArgs.map((f) => set(f, field(f))).join(' ')}
  ${set('entry', add(get('job'), mul(get('chunk'), c32(4))))}
  ${set('start', `(i32.load offset=${JOB.starts * 4} ${get('entry')})`)}
  ${set('size', sub(`(i32.load offset=${(JOB.starts + 1) * 4} ${get('entry')})`, get('start')))}
  (if (i32.eqz ${field('split')})
    (then
      ${set('m', minU(get('size'), sub(get('m'), get('start'))))}
      ${set('a', add(get('a'), mul(mul(get('start'), get('rsa')), c32(4))))}
      ${set('c', add(get('c'), mul(mul(get('start'), get('ldc')), c32(4))))})
    (else
      ${set('n', minU(get('size'), sub(get('n'), get('start'))))}
      ${set('b', add(get('b'), mul(mul(get('start'), get('csb')), c32(4))))}
      ${set('c', add(get('c'), mul(get('start'), c32(4))))}))
  (call $gemm ${gemmArgs.map(get).join(' ')} ${get('work')}))
${claimLoop('gemm_work', 'gemm_chunk')}`;
}

/**
 * The whole module's text. The memory is imported (and shared) so that every thread runs on the same arena.
 * `variant` 'relaxed' makes every f32x4 multiply-add (micro-kernel, `dot_rows`, `axpy_rows`) one
 * `f32x4.relaxed_madd` (`variant-wat.ts`); the scalar tails have no fused form in WebAssembly and stay as they are.
 */
export function gemmWat(bl: Blocking = BLOCKING, variant: KernelVariant = 'simd'): string {
  if (bl.mr % 4 !== 0 || bl.nr % 4 !== 0) throw new Error(`gemm-wat: bad blocking ${JSON.stringify(bl)}`);
  return `;; Generated by numerics/kernels/gemm-wat.ts with ${JSON.stringify(bl)}, ${variant}: do not edit.
(module
(import "env" "memory" (memory 1 65536 shared))
${microKernel(bl, variant)}
${edgeStore(bl)}
${packPanels('pack_a', bl.mr)}
${packPanels('pack_b', bl.nr)}
${dotRows(variant)}
${axpyRows(variant)}
${driver(bl)}
${jobs()}
)
`;
}
