import { UserError } from '../errors/user-error.ts';
import { ngramPlugin } from './ngram/plugin.ts';
import { gruPlugin, lstmPlugin, rnnPlugin } from './rnn/plugin.ts';
import type { ModelPlugin } from './types.ts';
import { unigramPlugin } from './unigram/plugin.ts';
import { windowPlugin } from './window/plugin.ts';

/** The plug-ins that come with perplexity-bench. Adding one: a folder under `models/` exporting a `definePlugin(...)`, and one line here. */
export const BUILT_IN_PLUGINS: readonly ModelPlugin[] = [unigramPlugin, ngramPlugin, windowPlugin, rnnPlugin, lstmPlugin, gruPlugin];

const BUILT_IN = 'built in';

/** A plug-in loaded from a user's module, with the module it came from (an absolute path). */
export interface LoadedPlugin {
  readonly plugin: ModelPlugin;
  readonly module: string;
}

/**
 * The plug-ins a command can use: the built-ins and those loaded from the modules the user named. A value, not
 * global state: each command (and each cell process) builds its own from what it was told to load.
 */
export class PluginRegistry {
  readonly plugins: readonly ModelPlugin[];
  /** The plug-ins loaded from modules, in the order they were named. */
  readonly loaded: readonly ModelPlugin[];
  /** The modules the loaded plug-ins came from, absolute, in the order they were named (for cell processes). */
  readonly modules: readonly string[];
  private readonly origins: ReadonlyMap<string, string>;

  constructor(loaded: readonly LoadedPlugin[] = []) {
    const origins = new Map<string, string>(BUILT_IN_PLUGINS.map((p) => [p.name, BUILT_IN]));
    for (const { plugin, module } of loaded) {
      const taken = origins.get(plugin.name);
      if (taken !== undefined) {
        const by = taken === BUILT_IN ? 'a built-in plug-in' : `the plug-in loaded from ${taken}`;
        throw new UserError(`${module}: plug-in "${plugin.name}" clashes with ${by} of the same name; rename it`);
      }
      origins.set(plugin.name, module);
    }
    this.origins = origins;
    this.loaded = loaded.map((l) => l.plugin);
    this.plugins = [...BUILT_IN_PLUGINS, ...this.loaded];
    this.modules = [...new Set(loaded.map((l) => l.module))];
  }

  /** The module a loaded plug-in came from (undefined for a built-in). */
  moduleOf(name: string): string | undefined {
    const origin = this.origins.get(name);
    return origin === BUILT_IN ? undefined : origin;
  }

  has(name: string): boolean {
    return this.origins.has(name);
  }

  find(name: string): ModelPlugin {
    const plugin = this.plugins.find((p) => p.name === name);
    if (!plugin) throw new UserError(`unknown model "${name}"; available: ${this.names().join(', ')} (a plug-in of your own: --plugin PATH_OR_PACKAGE)`);
    return plugin;
  }

  names(): string[] {
    return this.plugins.map((p) => p.name);
  }
}

/** The built-ins alone. */
export const builtInRegistry = new PluginRegistry();

/** A built-in plug-in by name (for code and tests that need no external plug-in). */
export function findPlugin(name: string): ModelPlugin {
  return builtInRegistry.find(name);
}
