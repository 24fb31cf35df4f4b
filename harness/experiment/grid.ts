import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../errors/user-error.ts';
import { jsonNaming, schemaKeys } from '../../models/option-names.ts';
import { describeIssues } from '../../models/plugin.ts';
import { builtInRegistry, type PluginRegistry } from '../../models/registry.ts';
import type { Budget, ContextLength, ModelFamily, Protocol } from '../../models/types.ts';
import { corpusFiles, type CorpusEntry, type Experiment } from './config.ts';

/** One run of the grid: a model with one point of its hyper-parameters, on one corpus, seed and protocol. */
export interface Cell {
  readonly experiment: string;
  /** Position in the grid (corpora × models × hyper-parameters × protocols × seeds). */
  readonly index: number;
  /** Stable name of the run, from everything that defines it; results and files are keyed by it. */
  readonly id: string;
  readonly corpus: CorpusEntry;
  /** Identifies the corpus with its options (its text, split and vocabulary). */
  readonly corpusId: string;
  /** Folder that relative corpus paths are resolved against (the config's folder). */
  readonly baseDir: string;
  readonly plugin: string;
  readonly family: ModelFamily;
  /** What the report calls the family, and the context length: stated by the plug-in, recorded with the run. */
  readonly familyLabel: string;
  readonly contextLength: ContextLength;
  /** The hyper-parameter that sets the context length, if one does. */
  readonly contextParameter?: string;
  /** What charts and tables call the run: the label (or plug-in) and the swept hyper-parameters. */
  readonly label: string;
  /** The validated hyper-parameters, defaults filled in. */
  readonly hyperParameters: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly mode: Protocol;
  readonly budget: Budget;
  /** The experiment's bootstrap resamples, when it sets them (not in the id: the same run, a finer interval). */
  readonly resamples?: number;
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function asList<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

/** Every combination of the listed values, the last key varying fastest (the order the config reads). */
export function gridProduct(values: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, value] of Object.entries(values)) {
    const options = asList(value);
    if (options.length === 0) return [];
    points = points.flatMap((p) => options.map((o) => ({ ...p, [key]: o })));
  }
  return points;
}

export function normaliseCorpus(entry: string | CorpusEntry): CorpusEntry {
  return typeof entry === 'string' ? { spec: entry } : entry;
}

/** A corpus's identity: its spec as written and the options that change its text, split or vocabulary. */
export function corpusIdOf(corpus: CorpusEntry, baseDir: string): string {
  const { label: _label, ...defining } = corpus;
  const name = (
    corpus.spec
      .replace(/^(text|files):/, '')
      .split(/[/,\\]/)
      .pop() ?? 'corpus'
  )
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-');
  return `${name}-${shortHash(canonicalJson({ ...defining, content: corpusFingerprint(corpus.spec, baseDir) }))}`;
}

/**
 * The bytes of a user's corpus files, hashed: edit the text and its runs are no longer "done". Bundled
 * corpora (brown, the toys) are fixed. A file that cannot be read has no fingerprint (its cells fail with
 * the reader's message when they run).
 */
function corpusFingerprint(spec: string, baseDir: string): string | null {
  const paths = corpusFiles(spec, baseDir);
  if (paths.length === 0) return null;
  const hash = createHash('sha256');
  for (const path of paths) {
    try {
      hash.update(readFileSync(path));
    } catch {
      return null;
    }
  }
  return hash.digest('hex');
}

function formatValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Expand an experiment into its cells, validating every hyper-parameter point against its plug-in's schema
 * before anything runs (a typo fails at once, naming the model entry and the option).
 */
export function expandGrid(experiment: Experiment, registry: PluginRegistry = builtInRegistry): Cell[] {
  const { config } = experiment;
  const cells: Cell[] = [];
  const pluginUses = new Map<string, number>();
  for (const m of config.models) pluginUses.set(m.plugin, (pluginUses.get(m.plugin) ?? 0) + 1);

  const plans = config.models.map((entry, i) => {
    if (!registry.has(entry.plugin)) {
      const hint = experiment.config.plugins.length ? '' : ' (a plug-in of your own: "plugins": ["./my-plugin.ts"])';
      throw new UserError(`${experiment.path}: "models[${i}].plugin": unknown model "${entry.plugin}"; available: ${registry.names().join(', ')}${hint}`);
    }
    const plugin = registry.find(entry.plugin);
    const points = gridProduct(entry.hyperParameters).map((point) => {
      const parsed = plugin.schema.safeParse(point);
      if (!parsed.success) {
        const subject = `${experiment.path}: "models[${i}].hyperParameters" (${entry.plugin} ${canonicalJson(point)})`;
        throw new UserError(describeIssues(subject, parsed.error, jsonNaming(schemaKeys(plugin.schema), plugin.renamedOptions)));
      }
      // Name a run by what varies; a plug-in used by several unlabelled entries also needs its fixed values.
      const shown = Object.entries(entry.hyperParameters).filter(
        ([, v]) => Array.isArray(v) || (entry.label === undefined && (pluginUses.get(entry.plugin) ?? 0) > 1),
      );
      const label = [entry.label ?? entry.plugin, ...shown.map(([k]) => `${k}=${formatValue(point[k])}`)].join(' ');
      return { hyperParameters: parsed.data, label };
    });
    return { entry, plugin, points };
  });

  for (const rawCorpus of config.corpora) {
    const corpus = normaliseCorpus(rawCorpus);
    const corpusId = corpusIdOf(corpus, dirname(experiment.path));
    for (const { entry, plugin, points } of plans) {
      const budget: Budget = { ...config.budget, ...entry.budget };
      for (const point of points) {
        for (const mode of asList(entry.protocol ?? config.protocol)) {
          for (const seed of entry.seeds ?? config.seeds) {
            const defining = { corpus: corpusId, plugin: plugin.name, hyperParameters: point.hyperParameters, seed, mode, budget };
            cells.push({
              experiment: experiment.name,
              index: cells.length,
              id: `${plugin.name}-${shortHash(canonicalJson(defining))}`,
              corpus,
              corpusId,
              baseDir: dirname(experiment.path),
              plugin: plugin.name,
              family: plugin.family,
              familyLabel: plugin.familyLabel,
              contextLength: plugin.contextLength(point.hyperParameters),
              ...(plugin.contextParameter !== undefined ? { contextParameter: plugin.contextParameter } : {}),
              label: point.label,
              hyperParameters: point.hyperParameters,
              seed,
              mode,
              budget,
              ...(config.resamples !== undefined ? { resamples: config.resamples } : {}),
            });
          }
        }
      }
    }
  }
  const seen = new Set<string>();
  for (const c of cells) {
    if (seen.has(c.id)) throw new UserError(`${experiment.path}: the run "${c.label}" (seed ${c.seed}, ${c.mode}) appears twice in the grid`);
    seen.add(c.id);
  }
  return cells;
}

/** A shard `K/N` (1 ≤ K ≤ N). */
export interface Shard {
  readonly k: number;
  readonly n: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new UserError(`--shard must be K/N with 1 ≤ K ≤ N (e.g. 2/4), got "${text}"`);
  return { k, n };
}

/** The cells of shard K/N: every N-th cell of the grid from the K-th, so shards are balanced and disjoint. */
export function shardCells(cells: readonly Cell[], shard: Shard | undefined): Cell[] {
  return shard ? cells.filter((c) => c.index % shard.n === shard.k - 1) : [...cells];
}
