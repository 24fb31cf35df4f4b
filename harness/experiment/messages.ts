import type { EpochRecord, ProgressEvent } from '../../models/types.ts';
import type { Cell } from './grid.ts';

/** What the parent hands a cell's process (as one JSON argument). */
export interface CellRequest {
  readonly cell: Cell;
  /** The results folder: the cell writes its per-token files there. */
  readonly outDir: string;
  /** The plug-in modules the experiment loads, absolute: the cell's process loads the same ones. */
  readonly plugins: readonly string[];
  /** The `run` process: the cell stops when it is gone (even if it went before the cell's code started). */
  readonly runPid: number;
}

/** Everything a run measured, sent back to the parent, which turns it into a results row. */
export interface CellResult {
  readonly corpus: string;
  readonly vocabSize: number;
  readonly trainTokens: number;
  readonly validPerplexity: number;
  readonly testPerplexity: number;
  readonly testPerplexityWithoutUnk: number;
  /** The ends of each perplexity's 95% bootstrap interval. */
  readonly validPerplexityLow: number;
  readonly validPerplexityHigh: number;
  readonly testPerplexityLow: number;
  readonly testPerplexityHigh: number;
  readonly validBitsPerCharacter: number;
  readonly testBitsPerCharacter: number;
  readonly validCharacters: number;
  readonly testCharacters: number;
  readonly validTokens: number;
  readonly testTokens: number;
  readonly validUnk: number;
  readonly testUnk: number;
  readonly parameters: number;
  readonly modelBytes: number;
  /** Stored n-grams, for an n-gram model (`ngramCount`); null for the other families. */
  readonly storedNgrams: number | null;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  readonly trainSeconds: number;
  /** Pure training throughput (validation between epochs excluded); null when no time was spent training. */
  readonly trainTokensPerSecond: number | null;
  readonly scoringTokensPerSecond: number;
  readonly epochs: readonly EpochRecord[];
  readonly bestEpoch: number | null;
  readonly stoppedBy: string;
}

export type CellMessage =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | { readonly type: 'result'; readonly result: CellResult }
  | { readonly type: 'error'; readonly message: string };
