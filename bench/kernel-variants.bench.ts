import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelVariant } from '../numerics/kernels/variant-wat.ts';
import type { BenchCell, BenchTable } from './types.ts';

/**
 * Issue 14 §2: what the relaxed-SIMD kernels (fused multiply-add) change in one LSTM training step and in scoring,
 * against the plain SIMD fallback. The kernel variant is fixed per process (`PERPLEXITY_KERNELS`), so each round
 * runs `bench/rnn.bench.ts` (LSTM, D = H = 128, Brown vocabulary, batch 32, bptt 35; no PyTorch) once in a child
 * process per variant, the first variant alternating from round to round; the ratio of a round is relaxed tokens/s
 * over plain tokens/s, and the table gives the median and spread over ROUNDS rounds. Run alone:
 *   npx tsx bench/run.ts kernel-variants       (KERNEL_VARIANT_ROUNDS=N, KERNEL_VARIANT_CELL=gru|rnn|lstm)
 */
const ROUNDS = Number(process.env.KERNEL_VARIANT_ROUNDS ?? 3);
const CELL = process.env.KERNEL_VARIANT_CELL ?? 'lstm';
const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

interface StepFigures {
  train: number;
  score: number;
}

function runRnnBench(variant: KernelVariant, dir: string, round: number): StepFigures {
  const json = join(dir, `${variant}-${round}.json`);
  execFileSync(process.execPath, ['--import', 'tsx', RUN, 'rnn', '--json', json], {
    env: { ...process.env, PERPLEXITY_KERNELS: variant, RNN_BENCH_CELLS: CELL, RNN_BENCH_TORCH: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tables = (JSON.parse(readFileSync(json, 'utf8')) as { results: Record<string, { rows: Record<string, BenchCell>[] }[]> }).results['rnn.bench.ts']!;
  const row = tables[0]!.rows[0]!;
  return { train: Number(row['train tok/s']), score: Number(row['score tok/s']) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export default async function kernelVariantsBench(): Promise<BenchTable[]> {
  const loadBefore = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'kernel-variants-'));
  const figures: Record<KernelVariant, StepFigures[]> = { simd: [], relaxed: [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order: KernelVariant[] = r % 2 === 0 ? ['simd', 'relaxed'] : ['relaxed', 'simd'];
      for (const variant of order) figures[variant].push(runRnnBench(variant, dir, r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = (['train', 'score'] as const).map((what) => {
    const ratios = figures.relaxed.map((f, r) => f[what] / figures.simd[r]![what]);
    return {
      [`${CELL} tokens/s`]: what === 'train' ? 'training step' : 'scoring (one sentence)',
      'plain (median)': Math.round(median(figures.simd.map((f) => f[what]))),
      'relaxed (median)': Math.round(median(figures.relaxed.map((f) => f[what]))),
      'relaxed/plain (median)': Math.round(median(ratios) * 100) / 100,
      'spread (min–max)': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
    };
  });
  return [
    {
      title: `${CELL.toUpperCase()} D = H = 128, Brown vocabulary, batch 32, bptt 35: relaxed SIMD kernels against plain SIMD (bench/rnn.bench.ts per variant)`,
      rows,
      notes: [
        `${ROUNDS} rounds, each running bench/rnn.bench.ts once per variant in its own process (PERPLEXITY_KERNELS=simd | relaxed), the first alternating; ratio = relaxed / plain tokens/s of the same round.`,
        `Load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores).`,
      ],
    },
  ];
}
