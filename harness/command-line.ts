import { parseArgs } from 'node:util';
import { UserError } from '../errors/user-error.ts';
import { closestName } from '../models/option-names.ts';
import type { Flags, OptionTypes } from './commands/common.ts';

export interface CommandLine {
  readonly values: Flags;
  readonly positionals: string[];
}

/** A value that starts with '-' but is a number (`--temperature -1`) is taken as the value, not as an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity)/;

/**
 * Parse a command's arguments against its option table, refusing what `util.parseArgs` would refuse but with
 * messages that say what to type instead: an unknown option with the closest known one, a missing value with
 * its placeholder, a value that looks like the next option, a value given to a switch, an argument where the
 * command takes none.
 */
export function parseCommandLine(command: string, args: readonly string[], options: OptionTypes, takesPositionals: boolean, hint = ''): CommandLine {
  const parserOptions = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.multiple ? { multiple: true } : {}) }]));
  const { values, positionals, tokens } = parseArgs({ args: [...args], options: parserOptions, strict: false, allowPositionals: true, tokens: true });
  const known = Object.keys(options);
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!takesPositionals) throw new UserError(`${command}: unexpected argument "${token.value}" (${command} takes only options; see '${command} --help')`);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined) {
      const guess = token.rawName.startsWith('--') ? closestName(token.name, known) : undefined;
      throw new UserError(
        `${command}: unknown option ${token.rawName}${guess !== undefined ? ` (did you mean --${guess}?)` : ''}${hint}; see '${command} --help'`,
      );
    }
    if (spec.renamed) throw new UserError(`${command}: option --${token.name} was renamed to --${spec.renamed.to} in ${spec.renamed.version}`);
    const placeholder = spec.value ? ` (${spec.value})` : '';
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UserError(`${command}: --${token.name} takes no value, got "${token.rawName}=${token.value}"`);
      continue;
    }
    if (token.value === undefined) throw new UserError(`${command}: --${token.name} needs a value${placeholder}`);
    if (!token.inlineValue && token.value.startsWith('-') && !NEGATIVE_NUMBER.test(token.value)) {
      throw new UserError(
        `${command}: --${token.name} needs a value${placeholder}, got the option ${token.value}` +
          ` (for a value that starts with "-", write --${token.name}=${token.value})`,
      );
    }
  }
  return { values, positionals };
}
