import { flagNaming } from '../models/option-names.ts';
import type { OptionTypes } from './commands/common.ts';
import type { ModelOptionSpec } from './model-options.ts';

/** One line of an options list: `--hidden-size N   hidden units H per layer (default 128)`. */
export interface HelpRow {
  /** As typed: `--out`, `--[no-]tie`. */
  readonly flag: string;
  readonly value?: string;
  readonly description?: string;
  readonly default?: string;
}

/** Descriptions start in one column; a flag longer than this many characters pushes its own description right. */
const MAX_FLAG_COLUMN = 36;

/** The options list both `COMMAND --help`, `train --model NAME --help` and `models` print. */
export function formatOptions(rows: readonly HelpRow[], indent = '  '): string[] {
  const left = rows.map((r) => (r.value ? `${r.flag} ${r.value}` : r.flag));
  const width = Math.min(MAX_FLAG_COLUMN, Math.max(0, ...left.map((l) => l.length)));
  return rows.map((r, i) => {
    const text = [r.description, r.default !== undefined ? `(default ${r.default})` : undefined].filter(Boolean).join(' ');
    return text ? `${indent}${left[i]!.padEnd(width)}  ${text}` : `${indent}${left[i]}`;
  });
}

/** A command's option table as help rows. */
export function commandOptionRows(options: OptionTypes): HelpRow[] {
  return Object.entries(options).map(([name, o]) => ({
    flag: `--${name}`,
    ...(o.value !== undefined ? { value: o.value } : {}),
    description: o.description,
    ...(o.default !== undefined ? { default: o.default } : {}),
  }));
}

/** A default as the user would type it: `mkn`, `0.002`, `false`. */
function shownDefault(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A plug-in's options as help rows: flags (booleans as `--[no-]flag`), other options in descriptions named as flags too. */
export function modelOptionRows(specs: readonly ModelOptionSpec[]): HelpRow[] {
  const naming = flagNaming(specs.map((o) => o.key));
  return specs.map((o) => ({
    flag: o.type === 'boolean' ? `--[no-]${o.flag}` : `--${o.flag}`,
    ...(o.type !== 'boolean' ? { value: o.choices ? o.choices.join('|') : o.type === 'string' ? 'TEXT' : o.type === 'integer' ? 'N' : 'X' } : {}),
    ...(o.description !== undefined ? { description: naming.text(o.description) } : {}),
    ...(o.default !== undefined ? { default: shownDefault(o.default) } : {}),
  }));
}
