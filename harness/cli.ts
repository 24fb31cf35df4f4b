#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { UserError } from '../corpora/user-error.ts';
import type { Flags, OptionTypes } from './commands/common.ts';
import { EVAL_OPTIONS, evalCommand } from './commands/eval.ts';
import { EXPORT_ARPA_OPTIONS, exportArpaCommand } from './commands/export-arpa.ts';
import { GENERATE_OPTIONS, generateCommand } from './commands/generate.ts';
import { CORPUS_INFO_OPTIONS, corpusCommand, modelsCommand } from './commands/info.ts';
import { MERGE_OPTIONS, mergeFromFlags } from './commands/merge.ts';
import { REPORT_OPTIONS, reportFromFlags } from './commands/report.ts';
import { RUN_OPTIONS, runFromFlags } from './commands/run.ts';
import { trainCommand, trainOptionTypes } from './commands/train.ts';

interface Command {
  readonly summary: string;
  readonly usage: string;
  /** The options it takes; a function when they depend on other arguments (train: the model's options). */
  readonly options: OptionTypes | ((argv: readonly string[]) => OptionTypes);
  /** Resolves to the exit code, or nothing for 0. */
  readonly run: (flags: Flags, positionals: readonly string[]) => Promise<void | number>;
  readonly positionals?: number;
}

/** Every command of the CLI. Each lives in its own module under `harness/commands/`. */
const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'train a model on a corpus and save it',
    usage: 'train --model NAME [model options] --corpus SPEC [--mode sentence|stream] [--seed N] [--epochs N] [--seconds S] [--tokens N] [--save DIR] [--json]',
    options: trainOptionTypes,
    run: trainCommand,
  },
  eval: {
    summary: 'perplexity of a saved model on a corpus split or a text file',
    usage: 'eval (--load DIR | --arpa FILE) (--corpus SPEC [--split train|valid|test] | --text PATH) [--mode sentence|stream] [--json]',
    options: EVAL_OPTIONS,
    run: evalCommand,
  },
  'export-arpa': {
    summary: 'write a saved n-gram model as an ARPA file (KenLM/SRILM format)',
    usage: 'export-arpa --load DIR --out FILE[.gz] [--overwrite]   (an existing FILE only with --overwrite)',
    options: EXPORT_ARPA_OPTIONS,
    run: exportArpaCommand,
  },
  generate: {
    summary: 'sample text from a saved model',
    usage: 'generate --load DIR [--tokens N] [--seed S] [--temperature T] [--prefix TEXT]',
    options: GENERATE_OPTIONS,
    run: generateCommand,
  },
  corpus: {
    summary: 'split sizes and vocabulary of a corpus',
    usage: 'corpus --corpus SPEC [--min-count N] [--level word|char] [--fractions A,B,C]',
    options: CORPUS_INFO_OPTIONS,
    run: corpusCommand,
  },
  models: {
    summary: 'the registered models and their options',
    usage: 'models',
    options: {},
    run: modelsCommand,
  },
  run: {
    summary: 'run an experiment (every cell in its own process), record results in DIR and write its report',
    usage: 'run CONFIG [--out DIR] [--force] [--shard K/N] [--no-report]   (CONFIG: default, brown, or a JSON file; DIR: reports)',
    options: RUN_OPTIONS,
    positionals: 1,
    run: runFromFlags,
  },
  report: {
    summary: "charts, SVGs and index.html from DIR's results (no training)",
    usage: 'report [--out DIR]   (DIR: reports)',
    options: REPORT_OPTIONS,
    run: reportFromFlags,
  },
  merge: {
    summary: "join shards' results folders into one, and write its report",
    usage: 'merge DIR... --out DIR   (writes the merged results and their report into DIR)',
    options: MERGE_OPTIONS,
    positionals: Infinity,
    run: mergeFromFlags,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: perplexity-bench COMMAND [options]   (or: npx tsx harness/cli.ts COMMAND [options])',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Corpora (--corpus): brown, hihello, ship, text:PATH (one file, split by --fractions), files:TRAIN,VALID,TEST',
    "Run 'COMMAND --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    const options = typeof command.options === 'function' ? command.options(rest) : command.options;
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: (command.positionals ?? 0) > 0 });
    } catch (e) {
      throw new UserError(`${name}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\nusage: ${command.usage}`);
    }
    return (await command.run(parsed.values, parsed.positionals)) ?? 0;
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// Run when executed directly (not when imported by tests).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('harness/cli.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
