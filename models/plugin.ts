import type { z } from 'zod';
import { UserError } from '../errors/user-error.ts';
import { Vocabulary } from '../corpora/vocabulary.ts';
import type { CheckpointData } from './checkpoint.ts';
import { closestName, jsonNaming, schemaKeys, type OptionNaming } from './option-names.ts';
import type { ModelPlugin, PluginDefinition } from './types.ts';

/**
 * Turn zod's issues into one message that names each bad option, spelt as the user wrote it (`naming`: JSON keys
 * by default, or command-line flags), and says why.
 */
export function describeIssues(subject: string, error: z.ZodError, naming: OptionNaming = jsonNaming()): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
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
): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) throw new UserError(describeIssues(`model "${plugin}"`, result.error, naming ?? jsonNaming(schemaKeys(schema))));
  return result.data;
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
    create: (raw, vocab) => def.create(parseHyperParameters(def.name, def.schema, raw), vocab),
    fromCheckpoint: (data: CheckpointData) => {
      if (data.plugin !== def.name) {
        throw new UserError(`checkpoint was written by plug-in "${data.plugin}", not "${def.name}"`);
      }
      const hp = parseHyperParameters(def.name, def.schema, data.hyperParameters);
      return def.fromCheckpoint(data, hp, new Vocabulary(data.vocabulary));
    },
  };
}
