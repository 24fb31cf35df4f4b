import { UserError } from '../../errors/user-error.ts';
import type { Experiment, MixtureSelector } from '../experiment/config.ts';
import type { RunEnvironment } from '../experiment/environment.ts';
import { canonicalJson, type Cell, shortHash } from '../experiment/grid.ts';
import { NO_MEASUREMENTS, readResults, type ResultRow } from '../experiment/results.ts';
import { MIXTURE_FAMILY } from './family.ts';
import { mixRuns, mixtureId, mixtureLabel, recordRows, writeMixtureTokens } from './mix.ts';

/*
 * The mixtures an experiment asks for ("mixtures" in its JSON), made by `run` after the cells from the runs
 * recorded, per corpus × protocol × seed. Selectors pick components by VALID perplexity only: choosing on test
 * would make the mixture's test figure an optimistic one.
 */

/** What a selector says in messages: `mixtures[0].components[1] ({"best":"ngram"})`. */
function where(entry: number, component: number, selector: MixtureSelector): string {
  return `"mixtures[${entry}].components[${component}]" (${JSON.stringify(selector)})`;
}

/** A run of a plug-in or of a family, by its plug-in's name or its family's. */
function ofKind(name: string, plugin: string, family: string): boolean {
  return plugin === name || family === name;
}

/**
 * Every selector can match a cell of the grid: a label that no cell has, or a plug-in or family that none runs,
 * fails here, before any cell runs.
 */
export function checkMixtureSelectors(experiment: Experiment, grid: readonly Cell[]): void {
  experiment.config.mixtures.forEach((mixture, i) => {
    mixture.components.forEach((selector, j) => {
      const found =
        typeof selector === 'string'
          ? grid.some((c) => c.label === selector)
          : 'bestOfEach' in selector
            ? grid.length > 0
            : grid.some((c) => ofKind('best' in selector ? selector.best : selector.each, c.plugin, c.family));
      if (!found) {
        const known =
          typeof selector === 'string'
            ? `the runs are ${[...new Set(grid.map((c) => c.label))].join(', ')}`
            : `the plug-ins and families are ${[...new Set(grid.flatMap((c) => [c.plugin, c.family]))].join(', ')}`;
        throw new UserError(`${experiment.path}: ${where(i, j, selector)} matches no run of the experiment (${known})`);
      }
    });
  });
}

/** The run with the lowest valid perplexity (the first of equals, in grid order). */
function bestByValid(rows: readonly ResultRow[]): ResultRow | undefined {
  let best: ResultRow | undefined;
  for (const r of rows) if (r.validPerplexity !== null && (best === undefined || r.validPerplexity < best.validPerplexity!)) best = r;
  return best;
}

/** One slot of a mixture: the runs it may take (one mixture per run when there are several, `each`). */
type Slot = readonly ResultRow[];

/** A selector's slots among a group's successful runs, or why it has none. */
function slots(selector: MixtureSelector, runs: readonly ResultRow[]): Slot[] | string {
  if (typeof selector === 'string') {
    const run = runs.find((r) => r.label === selector);
    return run ? [[run]] : `no successful run "${selector}"`;
  }
  if ('bestOfEach' in selector) {
    const key = (r: ResultRow): string => (selector.bestOfEach === 'family' ? r.family : r.model);
    const kinds = [...new Set(runs.map(key))];
    return kinds.map((k) => [bestByValid(runs.filter((r) => key(r) === k))!]);
  }
  const name = 'best' in selector ? selector.best : selector.each;
  const matching = runs.filter((r) => ofKind(name, r.model, r.family));
  if ('each' in selector) return matching.length ? [matching] : `no successful run of ${name}`;
  const best = bestByValid(matching);
  return best ? [[best]] : `no successful run of ${name}`;
}

/** Every choice of one run per slot, a run never twice in one mixture; mixtures of fewer than two runs are none. */
function combinations(all: readonly Slot[]): ResultRow[][] {
  let out: ResultRow[][] = [[]];
  for (const slot of all) out = out.flatMap((chosen) => slot.map((r) => (chosen.includes(r) ? chosen : [...chosen, r])));
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = c
      .map((r) => r.id)
      .sort()
      .join(' ');
    if (c.length < 2 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A mixture row that an experiment's "mixtures" made (not one of `mix`). */
function isExperimentMixture(row: ResultRow): boolean {
  return row.family === MIXTURE_FAMILY && (JSON.parse(row.hyperParameters) as { entry?: string }).entry !== undefined;
}

/** The row of a mixture that could not be made, with the reason; its id names the entry and the group. */
function failedMixture(experiment: Experiment, entry: number, group: Group, cell: Cell, message: string, env: RunEnvironment): ResultRow {
  const selectors = experiment.config.mixtures[entry]!.components;
  return {
    ...NO_MEASUREMENTS,
    experiment: experiment.name,
    cell: -1,
    id: `mixture-${shortHash(canonicalJson({ experiment: experiment.name, mixture: selectors, corpus: group.corpusId, mode: group.mode, seed: group.seed }))}`,
    status: 'failed',
    error: message,
    corpus: cell.corpus.label ?? cell.corpus.spec,
    corpusId: group.corpusId,
    model: MIXTURE_FAMILY,
    family: MIXTURE_FAMILY,
    familyLabel: MIXTURE_FAMILY,
    contextLength: null,
    contextParameter: '',
    label: `mix(mixtures[${entry}])`,
    hyperParameters: canonicalJson({ entry: `mixtures[${entry}]`, selectors }),
    seed: group.seed,
    mode: group.mode,
    budget: '{}',
    ...env,
    date: new Date().toISOString(),
  };
}

export interface ExperimentMixtures {
  /** The ids of the mixture rows this experiment has now (made or failed). */
  readonly ids: readonly string[];
  readonly made: number;
  readonly failed: number;
}

/**
 * A group of runs that predicted the same tokens and are mixed together: one corpus, protocol and seed. A
 * configuration run with one seed only (an n-gram, or any entry without several seeds) joins the group of every
 * seed, so a model given three seeds is mixed with it three times: three seeds of one mixture.
 */
interface Group {
  readonly corpusId: string;
  readonly mode: string;
  readonly seed: number;
  readonly cells: readonly Cell[];
}

function groups(grid: readonly Cell[]): Group[] {
  const byTokens = new Map<string, Cell[]>();
  for (const c of grid) {
    const key = JSON.stringify([c.corpusId, c.mode]);
    byTokens.set(key, [...(byTokens.get(key) ?? []), c]);
  }
  return [...byTokens.values()].flatMap((cells) => {
    const seedsOf = new Map<string, Set<number>>();
    for (const c of cells) seedsOf.set(c.label, (seedsOf.get(c.label) ?? new Set()).add(c.seed));
    const seeds = [...new Set(cells.map((c) => c.seed))];
    return seeds.map((seed) => ({
      corpusId: cells[0]!.corpusId,
      mode: cells[0]!.mode,
      seed,
      cells: cells.filter((c) => c.seed === seed || seedsOf.get(c.label)!.size === 1),
    }));
  });
}

/**
 * Make the experiment's mixtures from the runs recorded in `outDir` and record them (each with its per-token
 * files), replacing the mixture rows an earlier `run` of it made. The caller holds the folder's lock.
 */
export function recordExperimentMixtures(
  experiment: Experiment,
  grid: readonly Cell[],
  outDir: string,
  env: RunEnvironment,
  resamples?: number,
): ExperimentMixtures {
  const { mixtures } = experiment.config;
  if (mixtures.length === 0) return { ids: [], made: 0, failed: 0 };
  const { rows } = readResults(outDir);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const made: ResultRow[] = [];
  let failed = 0;
  for (const group of groups(grid)) {
    const runs = group.cells.map((c) => byId.get(c.id)).filter((r): r is ResultRow => r?.status === 'ok');
    const first = group.cells[0]!;
    mixtures.forEach((mixture, i) => {
      const chosen: Slot[] = [];
      for (const [j, selector] of mixture.components.entries()) {
        const found = slots(selector, runs);
        if (typeof found === 'string') {
          made.push(
            failedMixture(
              experiment,
              i,
              group,
              first,
              `${where(i, j, selector)}: ${found} on ${first.corpus.label ?? first.corpus.spec} (${group.mode}, seed ${group.seed})`,
              env,
            ),
          );
          failed++;
          return;
        }
        chosen.push(...found);
      }
      for (const components of combinations(chosen)) {
        // The same runs in the group of another seed (every component run with one seed only): made once.
        if (made.some((m) => m.id === mixtureId(components.map((c) => c.id)))) continue;
        try {
          const outcome = mixRuns(outDir, components, rows, env, { experiment: experiment.name, entry: `mixtures[${i}]`, ...(resamples ? { resamples } : {}) });
          writeMixtureTokens(outDir, outcome);
          made.push(outcome.row);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          made.push({
            ...failedMixture(experiment, i, group, first, e.message, env),
            id: mixtureId(components.map((c) => c.id)),
            label: mixtureLabel(components),
          });
          failed++;
        }
      }
    });
  }
  made.forEach((r, k) => {
    made[k] = { ...r, cell: grid.length + k };
  });
  // The mixtures of an earlier run of this experiment that it no longer makes (its best n-gram changed, say) go.
  const stale = rows.filter((r) => r.experiment === experiment.name && isExperimentMixture(r) && !made.some((m) => m.id === r.id)).map((r) => r.id);
  recordRows(outDir, made, stale);
  return { ids: made.map((r) => r.id), made: made.length - failed, failed };
}
