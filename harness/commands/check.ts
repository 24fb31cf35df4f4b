import { type ConformanceResult, conformanceChecks, formatResult } from '../conformance/index.ts';
import { parseHyperParameters } from '../../models/plugin.ts';
import { loadPlugins } from '../plugin-loader.ts';
import { builtInRegistry } from '../../models/registry.ts';
import type { ConformanceCase, ModelPlugin } from '../../models/types.ts';
import { UserError } from '../../errors/user-error.ts';
import { listFlag, PLUGIN_OPTION, stringFlag, type Flags, type OptionTypes } from './common.ts';

export const CHECK_OPTIONS: OptionTypes = {
  model: { type: 'string', value: 'NAME', description: 'check only this plug-in of the module (default: every plug-in it exports)' },
  hp: { type: 'string', value: 'JSON', description: "check these hyper-parameters (a JSON object) instead of the plug-in's own conformance cases" },
  ...PLUGIN_OPTION,
};

/** The plug-ins `check PLUGIN` means: a built-in by name, or those a module exports (loaded beside the --plugin ones). */
async function pluginsToCheck(spec: string, flags: Flags): Promise<ModelPlugin[]> {
  const builtIn = builtInRegistry.has(spec);
  const registry = await loadPlugins([...(builtIn ? [] : [spec]), ...listFlag(flags, 'plugin')], process.cwd());
  const own = builtIn ? [registry.find(spec)] : registry.loaded.filter((p) => registry.moduleOf(p.name) === registry.modules[0]);
  const model = stringFlag(flags, 'model');
  if (model === undefined) return own;
  const chosen = own.find((p) => p.name === model);
  if (!chosen) throw new UserError(`--model ${model}: ${spec} has no plug-in of that name; it has ${own.map((p) => p.name).join(', ')}`);
  return [chosen];
}

function casesFromFlag(flags: Flags): ConformanceCase[] | undefined {
  const text = stringFlag(flags, 'hp');
  if (text === undefined) return undefined;
  let hp: unknown;
  try {
    hp = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--hp: not valid JSON (${(e as Error).message})`);
  }
  if (hp === null || typeof hp !== 'object' || Array.isArray(hp)) throw new UserError(`--hp must be a JSON object of hyper-parameters, got ${text}`);
  return [{ hyperParameters: hp as Record<string, unknown> }];
}

/**
 * `check PLUGIN [--model NAME] [--hp JSON]`: the conformance kit on a plug-in, built-in or external; one line
 * a property. Exit code 1 when one fails, with the property and its worst case on stderr.
 */
export async function checkCommand(flags: Flags, positionals: readonly string[]): Promise<number> {
  const spec = positionals[0];
  if (positionals.length !== 1 || spec === undefined)
    throw new UserError('check takes one plug-in: a built-in name (ngram, lstm, …) or a module path or package');
  const cases = casesFromFlag(flags);
  const failed: ConformanceResult[] = [];
  for (const plugin of await pluginsToCheck(spec, flags)) {
    for (const c of cases ?? plugin.conformance) {
      // Hyper-parameters the schema refuses are the user's mistake (exit 2, naming the option), not a failed property.
      parseHyperParameters(plugin.name, plugin.schema, c.hyperParameters);
      process.stdout.write(`${plugin.name} ${JSON.stringify(c.hyperParameters)}\n`);
      for (const check of conformanceChecks(plugin, { cases: [c] })) {
        const result = await check.run();
        process.stdout.write(`  ${formatResult(result)}\n`);
        if (!result.pass) failed.push(result);
      }
    }
  }
  if (failed.length === 0) return 0;
  for (const r of failed) {
    process.stderr.write(`error: ${r.plugin} ${JSON.stringify(r.case.hyperParameters)} fails "${r.property}": ${r.figure}; worst: ${r.worst ?? 'unknown'}\n`);
  }
  return 1;
}
