import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserError } from '../../errors/user-error.ts';

/** Where the bundled experiments live: `run default` means `harness/experiments/default.json`. */
export const BUNDLED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'experiments');

const protocol = z.enum(['sentence', 'stream']);

const seeds = z.array(z.number().int().min(0)).min(1, 'needs at least one seed');

const budget = z.strictObject({
  epochs: z.number().int().positive().optional(),
  seconds: z.number().positive().optional(),
  tokens: z.number().int().positive().optional(),
});

/** A JSON value a hyper-parameter may take; an array in the config is a list of alternatives (the grid). */
const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
type HyperValue = z.infer<typeof scalar> | HyperValue[] | { [key: string]: HyperValue };
const hyperValue: z.ZodType<HyperValue> = z.lazy(() => z.union([scalar, z.array(hyperValue), z.record(z.string(), hyperValue)]));

const corpusObject = z.strictObject({
  /** As `loadCorpus` takes it: `brown`, `hihello`, `ship`, `text:PATH`, `files:TRAIN,VALID,TEST` (paths relative to the config file). */
  spec: z.string().min(1, 'must name a corpus'),
  /** Name in the results and charts; defaults to the corpus's own name. */
  label: z.string().min(1).optional(),
  level: z.enum(['word', 'char']).optional(),
  minCount: z.number().int().min(1).optional(),
  fractions: z
    .tuple([z.number().min(0), z.number().min(0), z.number().min(0)])
    .refine(([a, b, c]) => Math.abs(a + b + c - 1) < 1e-9, 'train, valid and test fractions must add up to 1')
    .optional(),
  /** Keep only the first sentences of a split, up to this many words (a slice of a large corpus). */
  trainWords: z.number().int().positive().optional(),
  validWords: z.number().int().positive().optional(),
  testWords: z.number().int().positive().optional(),
  /** Count the vocabulary on the train sentences kept (default) or on the whole train split, before `trainWords` cuts it. */
  vocabularyFrom: z.enum(['kept-train', 'whole-train']).optional(),
});

const modelEntry = z.strictObject({
  plugin: z.string().min(1, 'must name a registered model'),
  /** Prefix of the run labels (default: the plug-in name). */
  label: z.string().min(1).optional(),
  /** Each value is a value, or a list of values to sweep; the grid is the product of the lists. */
  hyperParameters: z.record(z.string(), hyperValue).default({}),
  /** Overrides the experiment's budget for this model. */
  budget: budget.optional(),
  /** Overrides the experiment's protocol for this model. */
  protocol: z.union([protocol, z.array(protocol).min(1)]).optional(),
  /** Overrides the experiment's seeds for this model (three seeds for one neural configuration only). */
  seeds: seeds.optional(),
});

/**
 * A mixture's component (issue 13 §3): a run label; `{ "best": NAME }`, the run of that plug-in or family with the
 * lowest VALID perplexity (never test, which would bias the mixture's test figure); `{ "each": NAME }`, one
 * mixture per run of it; `{ "bestOfEach": "family" | "plugin" }`, the best (by valid) of every family or plug-in.
 */
const mixtureSelector = z.union([
  z.string().min(1, 'must name a run label'),
  z.strictObject({ best: z.string().min(1, 'must name a plug-in or family') }),
  z.strictObject({ each: z.string().min(1, 'must name a plug-in or family') }),
  z.strictObject({ bestOfEach: z.enum(['family', 'plugin']) }),
]);

const mixtureEntry = z.strictObject({
  components: z.array(mixtureSelector).min(1, 'needs at least one component'),
});

export const experimentSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Defaults to the file name without `.json`. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits, ".", "_" and "-"')
    .optional(),
  description: z.string().optional(),
  /** Plug-in modules to load (paths relative to the config file, or installed package names). */
  plugins: z.array(z.string().min(1, 'must name a plug-in module')).default([]),
  corpora: z.array(z.union([z.string().min(1), corpusObject])).min(1, 'needs at least one corpus'),
  models: z.array(modelEntry).min(1, 'needs at least one model'),
  seeds: seeds.default([1]),
  budget: budget.default({}),
  protocol: z.union([protocol, z.array(protocol).min(1)]).default('sentence'),
  // issue 13 §3: mixtures of the experiment's runs, made by `run` after the cells (harness/mixture/experiment.ts).
  mixtures: z.array(mixtureEntry).default([]),
  /** Bootstrap resamples of the cells' and mixtures' intervals (default 2,000); not part of a run's id. */
  resamples: z.number().int().min(100, 'must be at least 100').optional(),
});

export type ExperimentConfig = z.output<typeof experimentSchema>;
export type CorpusEntry = z.output<typeof corpusObject>;
export type ModelEntry = z.output<typeof modelEntry>;
export type MixtureSelector = z.output<typeof mixtureSelector>;

/** A config as loaded from disk: where it came from, so relative corpus paths resolve against it. */
export interface Experiment {
  readonly name: string;
  readonly path: string;
  readonly config: ExperimentConfig;
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

/** One line per problem, each naming the key (`models[2].hyperParameters.order`) and why it is wrong. */
export function describeConfigIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? ` in "${keyPath(issue.path)}"` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}`;
    }
    return `"${keyPath(issue.path)}": ${issue.message}`;
  });
  return `${source}: ${lines.join('; ')}`;
}

/** Validate a parsed JSON value as an experiment config. */
export function parseExperiment(raw: unknown, source: string): ExperimentConfig {
  const result = experimentSchema.safeParse(raw);
  if (!result.success) throw new UserError(describeConfigIssues(source, result.error));
  return result.data;
}

/** `default` → the bundled config; anything with a slash or `.json` → a path. */
export function resolveExperimentPath(nameOrPath: string): string {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  if (looksLikePath) return resolve(nameOrPath);
  const bundled = join(BUNDLED_DIR, `${nameOrPath}.json`);
  if (existsSync(bundled)) return bundled;
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  throw new UserError(`no experiment "${nameOrPath}": not a bundled name (${bundledExperiments().join(', ')}) nor a file`);
}

export function bundledExperiments(): string[] {
  return readdirSync(BUNDLED_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadExperiment(nameOrPath: string): Experiment {
  const path = resolveExperimentPath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const config = parseExperiment(raw, path);
  checkCorpusFiles(config, path);
  return { name: config.name ?? basename(path).replace(/\.json$/, ''), path, config };
}

/**
 * Every file a `text:` or `files:` corpus names exists and is a file, checked with the config rather than
 * when the first cell that needs it runs (possibly after hours of other cells).
 */
function checkCorpusFiles(config: ExperimentConfig, configPath: string): void {
  config.corpora.forEach((entry, i) => {
    const spec = typeof entry === 'string' ? entry : entry.spec;
    for (const file of corpusFiles(spec, dirname(configPath))) {
      const stat = statSync(file, { throwIfNoEntry: false });
      const why = stat === undefined ? 'no such file' : stat.isDirectory() ? 'is a folder, not a file' : undefined;
      if (why) throw new UserError(`${configPath}: "${keyPath(['corpora', i])}" (${spec}): ${file}: ${why}`);
    }
  });
}

/** The files a corpus spec reads, absolute against the config's folder (none for bundled corpora). */
export function corpusFiles(spec: string, configDir: string): string[] {
  const resolved = resolveCorpusSpec(spec, configDir);
  if (resolved.startsWith('text:')) return [resolved.slice('text:'.length)];
  if (resolved.startsWith('files:')) return resolved.slice('files:'.length).split(',');
  return [];
}

/** A corpus spec with its file paths made absolute against the config's folder. */
export function resolveCorpusSpec(spec: string, configDir: string): string {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(configDir, p));
  if (spec.startsWith('text:')) return `text:${abs(spec.slice(5))}`;
  if (spec.startsWith('files:')) return `files:${spec.slice(6).split(',').map(abs).join(',')}`;
  return spec;
}
