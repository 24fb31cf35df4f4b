import { z } from 'zod';
import { UserError } from '../errors/user-error.ts';
import { flagNaming, kebab } from '../models/option-names.ts';
import { parseHyperParameters } from '../models/plugin.ts';
import type { ModelPlugin, RenamedOptions } from '../models/types.ts';
import type { OptionSpec, OptionTypes } from './commands/common.ts';

export interface ModelOptionSpec {
  /** The hyper-parameter's key in the schema (camelCase). */
  readonly key: string;
  /** How it is written on the command line (`--kebab-case`). */
  readonly flag: string;
  readonly type: 'boolean' | 'integer' | 'number' | 'string';
  /** A number option that also takes text, such as a comma-separated list (`listOption`). */
  readonly acceptsText?: boolean;
  readonly choices?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
}

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchemaProperty[];
}

/** The alternatives of a property, nested unions flattened (a number or a list given as text). */
function alternatives(p: JsonSchemaProperty): JsonSchemaProperty[] {
  return p.anyOf ? p.anyOf.flatMap(alternatives) : [p];
}

/** The command-line options of a plug-in, read from its hyper-parameter schema. */
export function modelOptionSpecs(plugin: ModelPlugin): ModelOptionSpec[] {
  const json = z.toJSONSchema(plugin.schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
  };
  return Object.entries(json.properties ?? {}).map(([key, p]) => {
    const variants = alternatives(p);
    const types = variants.map((v) => v.type ?? (v.enum ? 'string' : undefined));
    const type = types.includes('boolean') ? 'boolean' : types.includes('integer') ? 'integer' : types.includes('number') ? 'number' : 'string';
    const choices = variants.flatMap((v) => v.enum ?? []).map(String);
    return {
      key,
      flag: kebab(key),
      type,
      ...(type !== 'string' && types.includes('string') ? { acceptsText: true } : {}),
      ...(choices.length ? { choices } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.description ? { description: p.description } : {}),
    };
  });
}

/** A plug-in's options as command-line options (booleans also get `--no-FLAG`). */
export function modelFlagOptions(specs: readonly ModelOptionSpec[], renamed?: RenamedOptions): OptionTypes {
  const out: Record<string, OptionSpec> = {};
  for (const [old, now] of Object.entries(renamed?.names ?? {})) {
    out[kebab(old)] = { type: 'string', description: `renamed to --${kebab(now)}`, renamed: { to: kebab(now), version: renamed!.version } };
  }
  for (const s of specs) {
    const description = s.description ?? s.key;
    out[s.flag] = { type: s.type === 'boolean' ? 'boolean' : 'string', description };
    if (s.type === 'boolean') out[`no-${s.flag}`] = { type: 'boolean', description: `not: ${description}` };
  }
  return out;
}

/**
 * Turn parsed flag values into hyper-parameters (numbers parsed) and validate them against the plug-in's schema,
 * so that a bad value is refused before any corpus is loaded, in a message that names the flag (`--hidden-size`).
 */
export function hyperParametersFromFlags(
  plugin: ModelPlugin,
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>,
): Record<string, unknown> {
  const specs = modelOptionSpecs(plugin);
  const hp: Record<string, unknown> = {};
  for (const s of specs) {
    const v = values[s.flag];
    if (s.type === 'boolean') {
      if (v === true) hp[s.key] = true;
      if (values[`no-${s.flag}`] === true) {
        if (v === true) throw new UserError(`--${s.flag} and --no-${s.flag} contradict each other`);
        hp[s.key] = false;
      }
      continue;
    }
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new UserError(`--${s.flag} needs a value`);
    if (s.type === 'integer' || s.type === 'number') {
      const n = Number(v);
      if (s.acceptsText && !Number.isFinite(n)) {
        hp[s.key] = v;
        continue;
      }
      if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${s.flag} must be a number, got "${v}"`);
      hp[s.key] = n;
    } else {
      hp[s.key] = v;
    }
  }
  parseHyperParameters(
    plugin.name,
    plugin.schema,
    hp,
    flagNaming(
      specs.map((s) => s.key),
      plugin.renamedOptions,
    ),
  );
  return hp;
}
