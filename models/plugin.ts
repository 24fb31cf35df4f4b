import type { z } from 'zod';
import { UserError } from '../errors/user-error.ts';
import { Vocabulary } from '../corpora/vocabulary.ts';
import type { CheckpointData } from './checkpoint.ts';
import { closestName, jsonNaming, migrateRenamedOptions, schemaKeys, type OptionNaming } from './option-names.ts';
import type { ModelPlugin, PluginDefinition, RenamedOptions } from './types.ts';

/**
 * Turn zod's issues into one message that names each bad option, spelt as the user wrote it (`naming`: JSON keys
 * by default, or command-line flags), and says why.
 */
export function describeIssues(subject: string, error: z.ZodError, naming: OptionNaming = jsonNaming()): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const renamed = issue.keys.filter((k) => naming.renamed?.names[k] !== undefined);
      if (renamed.length > 0 && naming.renamed) {
        const { version, names } = naming.renamed;
        return renamed.map((k) => `option ${naming.option([k])} was renamed to ${naming.option([names[k]!])} in ${version}`).join('; ');
      }
      const names = issue.keys.map((k) => {
        const guess = closestName(k, naming.known);
        return `${naming.option([k])}${guess !== undefined ? ` (did you mean ${naming.option([guess])}?)` : ''}`;
      });
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${names.join(', ')}`;
    }
    return `${issue.path.length ? `option ${naming.option(issue.path)}` : 'options'}: ${naming.text(issue.message)}`;
  });
  return `${subject}: ${lines.join('; ')}`;
}

/** Validate hyper-parameters against a plug-in's schema, or throw a `UserError` naming the option as `naming` spells it. */
export function parseHyperParameters<S extends z.ZodType<Record<string, unknown>>>(
  plugin: string,
  schema: S,
  raw: unknown,
  naming?: OptionNaming,
  renamed?: RenamedOptions,
): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) throw new UserError(describeIssues(`model "${plugin}"`, result.error, naming ?? jsonNaming(schemaKeys(schema), renamed)));
  return result.data;
}

/**
 * A checkpoint's hyper-parameters with the option names of an earlier version migrated to today's (with a note on
 * stderr), so that models saved before a rename still load.
 */
function checkpointHyperParameters(plugin: string, data: CheckpointData, renamed: RenamedOptions | undefined): Readonly<Record<string, unknown>> {
  if (!renamed) return data.hyperParameters;
  const { hyperParameters, renames } = migrateRenamedOptions(data.hyperParameters, renamed.names);
  if (renames.length > 0) {
    const list = renames.map(([old, now]) => `"${old}" → "${now}"`).join(', ');
    process.stderr.write(`note: ${plugin} checkpoint written before ${renamed.version}: option names migrated (${list})\n`);
  }
  return hyperParameters;
}

export function definePlugin<S extends z.ZodType<Record<string, unknown>>>(def: PluginDefinition<S>): ModelPlugin {
  return {
    name: def.name,
    family: def.family,
    familyLabel: def.familyLabel ?? def.family,
    description: def.description,
    contextLength: (hp) => def.contextLength?.(parseHyperParameters(def.name, def.schema, hp)),
    ...(def.contextParameter !== undefined ? { contextParameter: def.contextParameter } : {}),
    schema: def.schema,
    conformance: def.conformance ?? [{ hyperParameters: {} }],
    ...(def.renamedOptions ? { renamedOptions: def.renamedOptions } : {}),
    create: (raw, vocab) => def.create(parseHyperParameters(def.name, def.schema, raw, undefined, def.renamedOptions), vocab),
    fromCheckpoint: (data: CheckpointData) => {
      if (data.plugin !== def.name) {
        throw new UserError(`checkpoint was written by plug-in "${data.plugin}", not "${def.name}"`);
      }
      const hp = parseHyperParameters(def.name, def.schema, checkpointHyperParameters(def.name, data, def.renamedOptions));
      return def.fromCheckpoint(data, hp, new Vocabulary(data.vocabulary));
    },
  };
}
