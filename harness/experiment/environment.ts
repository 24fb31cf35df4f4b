import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { kernelVariant } from '../../numerics/kernels/variant.ts';
import { isCheckout, PACKAGE_DIR, packageId } from '../package-info.ts';

/** Where a run happened, recorded with every result row. */
export interface RunEnvironment {
  readonly gitCommit: string;
  readonly nodeVersion: string;
  readonly cpuModel: string;
  /** The float32 kernels' build (`relaxed`: fused multiply-adds; `simd`: the plain fallback), as `kernelVariant()`. */
  readonly kernels: string;
}

/** The checked-out commit, with `-dirty` when the work tree has uncommitted changes; `unknown` outside git. */
export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

/**
 * Where a run happens. The code that ran is the project's checked-out commit in a clone, and the package's
 * name and version (`perplexity-bench@1.0.0`) when installed: asking git there would name the commit of
 * whatever repository the user's folder is in.
 */
export function runEnvironment(): RunEnvironment {
  return {
    gitCommit: isCheckout() ? gitCommit(PACKAGE_DIR) : packageId(),
    nodeVersion: process.version,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    kernels: kernelVariant(),
  };
}
