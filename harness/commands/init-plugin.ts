import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../../errors/user-error.ts';
import { builtInRegistry } from '../../models/registry.ts';
import { writeFileAtomic } from '../experiment/atomic.ts';
import { checkOutputFile } from '../output-path.ts';
import { pluginTemplate } from '../plugin-template.ts';
import type { Flags, OptionTypes } from './common.ts';

export const INIT_PLUGIN_OPTIONS: OptionTypes = {};

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * `init-plugin NAME [DIR]`: a minimal working plug-in in DIR (default ./NAME): model.ts, plugin.ts, a test
 * running the conformance kit, a README. Every file is checked before any is written; none is overwritten.
 */
export async function initPluginCommand(_flags: Flags, positionals: readonly string[]): Promise<void> {
  const [name, dir = name] = positionals;
  if (name === undefined || dir === undefined || positionals.length > 2)
    throw new UserError('init-plugin takes a plug-in name and, optionally, a folder: init-plugin NAME [DIR]');
  if (!NAME.test(name))
    throw new UserError(`init-plugin: the name "${name}" must be lowercase letters, digits and "-", starting with a letter (e.g. my-bigram)`);
  if (builtInRegistry.has(name))
    throw new UserError(`init-plugin: "${name}" is a built-in plug-in's name; choose another (built in: ${builtInRegistry.names().join(', ')})`);
  const files = Object.entries(pluginTemplate(name));
  for (const [file] of files) {
    const path = join(dir, file);
    if (existsSync(path))
      throw new UserError(`init-plugin: ${path} exists; init-plugin never overwrites a file: choose another folder (init-plugin ${name} DIR)`);
    checkOutputFile(path, false, { option: 'init-plugin', example: join('my-plugins', name, file) });
  }
  for (const [file, text] of files) writeFileAtomic(join(dir, file), text);
  const plugin = relative(process.cwd(), join(dir, 'plugin.ts'));
  process.stdout.write(
    `wrote ${files.map(([f]) => join(dir, f)).join(', ')}\nnext: npx perplexity-bench check ./${plugin}   (then make model.ts your own model)\n`,
  );
}
