import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's Python with python3-torch, and the OpenBLAS build PyTorch must load (Debian's default BLAS is the reference one, ~10× slower). */
export const PYTHON = '/usr/bin/python3';
export const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

export type TwinOutput = { readonly stdout: string } | { readonly reason: string };

/**
 * Run one of the PyTorch twins in bench/ (`script` is its file name there) with OpenBLAS on the loader path, right
 * after our side of a bench so both see the same machine. Returns its standard output, or a one-line reason it
 * did not run: `skipVariable`=0 in the environment, no /usr/bin/python3, no OpenBLAS, or the script failed.
 */
export function runTorchTwin(script: string, args: readonly string[], options: { input?: string; skipVariable?: string } = {}): TwinOutput {
  if (options.skipVariable !== undefined && process.env[options.skipVariable] === '0') return { reason: `skipped (${options.skipVariable}=0)` };
  if (!existsSync(PYTHON)) return { reason: `${PYTHON} not found` };
  // Without OpenBLAS, Debian's torch runs on the reference BLAS, 10-100× slower: no figure at all beats a misleading one.
  if (!existsSync(OPENBLAS) && process.env.TORCH_REFERENCE_BLAS !== '1')
    return { reason: `${OPENBLAS} not found (apt-get install libopenblas0-openmp; TORCH_REFERENCE_BLAS=1 runs on the reference BLAS anyway)` };
  const run = spawnSync(PYTHON, [fileURLToPath(new URL(`./${script}`, import.meta.url)), ...args], {
    ...(options.input !== undefined ? { input: options.input } : {}),
    env: { ...process.env, LD_LIBRARY_PATH: OPENBLAS },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) return { reason: `PyTorch run failed: ${(run.stderr || String(run.error)).trim().split('\n').pop()}` };
  return { stdout: run.stdout };
}

/** The JSON object on each non-empty line of a twin's output. */
export function jsonLines<T>(stdout: string): T[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
