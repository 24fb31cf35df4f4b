import { encodeCorpus, type EncodedCorpus } from '../../corpora/corpus.ts';
import type { Budget, ConformanceCase, ModelPlugin } from '../../models/types.ts';
import { conformanceCorpus } from './corpus.ts';
import { PROPERTIES, type PropertyInput, type PropertyOutcome } from './properties.ts';

export { conformanceCorpus } from './corpus.ts';
export { PROPERTIES, type Property, type PropertyInput, type PropertyOutcome } from './properties.ts';

export interface ConformanceOptions {
  /** The configurations to check; default: the plug-in's own `conformance` cases. */
  readonly cases?: readonly ConformanceCase[];
  /** The corpora to train on; default: `conformanceCorpus()`, a small synthetic word corpus. */
  readonly corpora?: readonly EncodedCorpus[];
  /** Training budget of each model; default 2 epochs. */
  readonly budget?: Budget;
  readonly seed?: number;
  /** Check only the properties of these names. */
  readonly properties?: readonly string[];
}

/** One property of one case on one corpus, ready to run on its own (it trains its own model). */
export interface ConformanceCheck {
  readonly property: string;
  readonly claim: string;
  readonly case: ConformanceCase;
  readonly corpus: string;
  /** `normalisation {"order":3} on conformance`: unique within a plug-in's checks. */
  readonly title: string;
  run(): Promise<ConformanceResult>;
}

export interface ConformanceResult extends PropertyOutcome {
  readonly plugin: string;
  readonly property: string;
  readonly case: ConformanceCase;
  readonly corpus: string;
}

/**
 * The checks of the conformance kit for a plug-in: every property, for each of its cases, on each corpus.
 * Each check stands alone, so a test suite can make one test of each:
 *
 *     for (const c of conformanceChecks(plugin)) it(c.title, async () => assertConformance(await c.run()));
 */
export function conformanceChecks(plugin: ModelPlugin, options: ConformanceOptions = {}): ConformanceCheck[] {
  const corpora = options.corpora ?? [encodeCorpus(conformanceCorpus())];
  const cases = options.cases ?? plugin.conformance;
  const properties = options.properties ? PROPERTIES.filter((p) => options.properties!.includes(p.name)) : PROPERTIES;
  const checks: ConformanceCheck[] = [];
  for (const c of cases) {
    for (const corpus of corpora) {
      const input: PropertyInput = { plugin, case: c, corpus, seed: options.seed ?? 7, budget: options.budget ?? { epochs: 2 } };
      for (const property of properties) {
        if (property.applies && !property.applies(input)) continue;
        checks.push({
          property: property.name,
          claim: property.claim,
          case: c,
          corpus: corpus.name,
          title: `${property.name} ${JSON.stringify(c.hyperParameters)} on ${corpus.name}`,
          run: async () => {
            let outcome: PropertyOutcome;
            try {
              outcome = await property.check(input);
            } catch (e) {
              outcome = { pass: false, figure: 'threw', worst: e instanceof Error ? e.message : String(e) };
            }
            return { plugin: plugin.name, property: property.name, case: c, corpus: corpus.name, ...outcome };
          },
        });
      }
    }
  }
  return checks;
}

/** Run every check of the kit on a plug-in, one after the other; the results in the same order. */
export async function conformance(plugin: ModelPlugin, options: ConformanceOptions = {}): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const check of conformanceChecks(plugin, options)) results.push(await check.run());
  return results;
}

/** One line of a result: `✓ normalisation  max |Σp − 1| = 2.2e-16` (and the worst case when it failed). */
export function formatResult(r: ConformanceResult): string {
  return `${r.pass ? '✓' : '✗'} ${r.property}  ${r.figure}${r.pass ? '' : `; worst: ${r.worst ?? 'unknown'}`}`;
}

/** Throw an `Error` saying what failed, for a test framework (vitest, node:test, …); nothing when it passed. */
export function assertConformance(r: ConformanceResult): void {
  if (!r.pass) throw new Error(`${r.plugin} ${JSON.stringify(r.case.hyperParameters)} on ${r.corpus}: ${formatResult(r)}`);
}
