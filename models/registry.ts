import { UserError } from '../errors/user-error.ts';
import type { ModelPlugin } from './types.ts';
import { ngramPlugin } from './ngram/plugin.ts';
import { gruPlugin, lstmPlugin, rnnPlugin } from './rnn/plugin.ts';
import { unigramPlugin } from './unigram/plugin.ts';
import { windowPlugin } from './window/plugin.ts';

/**
 * Every model the harness and CLI can run. Adding a model: a folder under `models/` that exports a
 * `definePlugin(...)`, and one line here.
 */
export const registry: readonly ModelPlugin[] = [unigramPlugin, ngramPlugin, windowPlugin, rnnPlugin, lstmPlugin, gruPlugin];

export function findPlugin(name: string): ModelPlugin {
  const plugin = registry.find((p) => p.name === name);
  if (!plugin) {
    throw new UserError(`unknown model "${name}"; available: ${registry.map((p) => p.name).join(', ')}`);
  }
  return plugin;
}
