/**
 * The contract between the benchmark runner (`bench/run.ts`) and the bench files (`bench/*.bench.ts`):
 * a bench file's default export runs its benchmarks and returns tables the runner prints (and writes as
 * JSON with `--json FILE`). Speed and memory targets live here, never in unit tests.
 */
export type BenchCell = string | number;

export interface BenchTable {
  readonly title: string;
  readonly rows: readonly Readonly<Record<string, BenchCell>>[];
  /** Context for the figures: machine, goals, reference numbers, how they were measured. */
  readonly notes?: readonly string[];
  /** An SVG chart of the table, written beside the JSON (a file name; the report shows it under the table). */
  readonly chart?: string;
}

export type BenchFunction = () => Promise<readonly BenchTable[]>;
