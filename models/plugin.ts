import { z } from 'zod';
import { UserError } from '../corpora/user-error.ts';
import { Vocabulary } from '../corpora/vocabulary.ts';
import type { CheckpointData } from './checkpoint.ts';
import type { ModelPlugin, PluginDefinition } from './types.ts';

/** Turn zod's issues into one message that names each bad option and says why. */
export function describeIssues(subject: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const path = issue.path.length ? `option "${issue.path.join('.')}"` : 'options';
    return `${path}: ${issue.message}`;
  });
  return `${subject}: ${lines.join('; ')}`;
}

/** Validate hyper-parameters against a plug-in's schema, or throw a `UserError` naming the option. */
export function parseHyperParameters<S extends z.ZodType<Record<string, unknown>>>(
  plugin: string,
  schema: S,
  raw: unknown,
): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) throw new UserError(describeIssues(`model "${plugin}"`, result.error));
  return result.data;
}

export function definePlugin<S extends z.ZodType<Record<string, unknown>>>(def: PluginDefinition<S>): ModelPlugin {
  return {
    name: def.name,
    family: def.family,
    description: def.description,
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
