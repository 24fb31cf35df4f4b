import { z } from 'zod';
import type { RenamedOptions } from './types.ts';

/**
 * How an option is spelt where the user wrote it: a hyper-parameter `hiddenSize` is `"hiddenSize"` in a JSON
 * experiment and `--hidden-size` on the command line. Messages must use the spelling of the place the user
 * is looking at, so the code that validates options takes one of these.
 */
export interface OptionNaming {
  /** An option (the path of a zod issue) named in a message: `"hiddenSize"`, `"discountFallback.0"`, `--hidden-size`. */
  readonly option: (path: readonly PropertyKey[]) => string;
  /** A plug-in's own message mentioning other options (`needs embeddingSize = hiddenSize`), respelt. */
  readonly text: (message: string) => string;
  /** Every key the schema knows, for "did you mean". */
  readonly known: readonly string[];
  /** Keys of earlier versions (old → new), named in place of a guess. */
  readonly renamed?: RenamedOptions | undefined;
}

/** `hiddenSize` → `hidden-size`. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The keys of a plug-in's (object) hyper-parameter schema. */
export function schemaKeys(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  return Object.keys(json.properties ?? {});
}

/** Options as keys of a JSON object (an experiment's `hyperParameters`, a checkpoint). */
export function jsonNaming(known: readonly string[] = [], renamed?: RenamedOptions): OptionNaming {
  return { option: (path) => `"${path.map(String).join('.')}"`, text: (message) => message, known, renamed };
}

/**
 * Options as command-line flags. Only camelCase keys are respelt inside messages: a one-word key reads the same
 * either way, and replacing short words (`k`, `n`) could hit other words (`"add-k"`).
 */
export function flagNaming(known: readonly string[], renamed?: RenamedOptions): OptionNaming {
  const camel = known.filter((k) => /[A-Z]/.test(k));
  const pattern = camel.length ? new RegExp(`\\b(${camel.join('|')})\\b`, 'g') : undefined;
  return {
    // A flag takes one value: a path into it (`discountFallback.0`) is the flag itself.
    option: (path) => `--${kebab(String(path[0]))}`,
    text: (message) => (pattern ? message.replace(pattern, (key) => `--${kebab(key)}`) : message),
    known,
    renamed,
  };
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (`alpah`), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate the user most likely meant, if one is close: the same name in the other spelling
 * (`hiddenSize` for `hidden-size` and back), or one within a third of the name's length in edits (rounded down).
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const flat = (s: string): string => s.replace(/-/g, '').toLowerCase();
  const same = candidates.find((c) => flat(c) === flat(name));
  if (same !== undefined) return same;
  let best: string | undefined;
  // Edits allowed: a third of the name's length, so none for one or two letters (`-x` is not a typo of `--n`).
  let bestDistance = Math.floor(name.length / 3) + 1;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Hyper-parameters written with option names that were renamed since (old → new in `renamed`), respelt with
 * the new names: how a checkpoint of an earlier version loads. Returns the renames it made, for a note.
 */
export function migrateRenamedOptions(
  raw: Readonly<Record<string, unknown>>,
  renamed: Readonly<Record<string, string>>,
): { hyperParameters: Record<string, unknown>; renames: [string, string][] } {
  const hyperParameters: Record<string, unknown> = {};
  const renames: [string, string][] = [];
  for (const [key, value] of Object.entries(raw)) {
    const now = renamed[key];
    if (now !== undefined && !(now in raw)) {
      hyperParameters[now] = value;
      renames.push([key, now]);
    } else {
      hyperParameters[key] = value;
    }
  }
  return { hyperParameters, renames };
}
