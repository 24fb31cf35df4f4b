#!/usr/bin/env -S npx tsx
import { packageVersion } from './package-info.ts';
import { parseCommandLine } from './command-line.ts';
import type { Flags, OptionTypes } from './commands/common.ts';
import { CHECK_OPTIONS, checkCommand } from './commands/check.ts';
// issue 13 §2: compare
import { COMPARE_OPTIONS, compareCommand } from './commands/compare.ts';
import { EVAL_OPTIONS, evalCommand } from './commands/eval.ts';
import { INIT_PLUGIN_OPTIONS, initPluginCommand } from './commands/init-plugin.ts';
import { EXPORT_ARPA_OPTIONS, exportArpaCommand } from './commands/export-arpa.ts';
import { GENERATE_OPTIONS, generateCommand } from './commands/generate.ts';
import { CORPUS_INFO_OPTIONS, corpusCommand, MODELS_OPTIONS, modelsCommand } from './commands/info.ts';
import { MERGE_OPTIONS, mergeFromFlags } from './commands/merge.ts';
// issue 13 §3: mixtures
import { MIX_OPTIONS, mixFromFlags } from './commands/mix.ts';
import { REPORT_OPTIONS, reportFromFlags } from './commands/report.ts';
import { RUN_OPTIONS, runFromFlags } from './commands/run.ts';
import { TRAIN_OPTIONS, trainCommand, trainModelOptions, type ModelFlags } from './commands/train.ts';
import { describeFailure } from './failure.ts';
import { commandOptionRows, formatOptions } from './help.ts';
import { closestName } from '../models/option-names.ts';

export interface Command {
  readonly summary: string;
  /** The arguments after the command's name, in short; `--help` lists every option below it. */
  readonly usage: string;
  /** The command's options: what it parses and what its help lists. */
  readonly options: OptionTypes;
  /** Options known once other arguments are (train: the chosen model's), with their section of the help. */
  readonly moreOptions?: (argv: readonly string[]) => Promise<ModelFlags | undefined>;
  /** Resolves to the exit code, or nothing for 0. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a command that has no exit code of its own returns nothing (void), which means 0.
  readonly run: (flags: Flags, positionals: readonly string[]) => Promise<void | number>;
  readonly positionals?: number;
}

/** Every command of the CLI. Each lives in its own module under `harness/commands/`. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  train: {
    summary: 'train a model on a corpus and save it',
    usage: 'train --model NAME [model options] --corpus SPEC [options]',
    options: TRAIN_OPTIONS,
    moreOptions: trainModelOptions,
    run: trainCommand,
  },
  eval: {
    summary: 'perplexity of a saved model on a corpus split or a text file',
    usage: 'eval (--load DIR | --arpa FILE) (--corpus SPEC [--split train|valid|test] | --text PATH) [options]',
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
    usage: 'generate --load DIR [options]',
    options: GENERATE_OPTIONS,
    run: generateCommand,
  },
  corpus: {
    summary: 'split sizes and vocabulary of a corpus',
    usage: 'corpus --corpus SPEC [options]',
    options: CORPUS_INFO_OPTIONS,
    run: corpusCommand,
  },
  models: {
    summary: 'the registered models and their options',
    usage: 'models [--plugin PATH_OR_PACKAGE]...',
    options: MODELS_OPTIONS,
    run: modelsCommand,
  },
  check: {
    summary: "run the conformance kit on a plug-in (built-in or a module of one's own): one line a property, exit 1 on a failure",
    usage: 'check PLUGIN [--model NAME] [--hp JSON]   (PLUGIN: a built-in name, a .ts/.js file or an installed package)',
    options: CHECK_OPTIONS,
    positionals: 1,
    run: checkCommand,
  },
  'init-plugin': {
    summary: 'write a minimal working plug-in (model, plugin.ts, a conformance test) to start one of your own from',
    usage: 'init-plugin NAME [DIR]   (DIR: default ./NAME; existing files are never overwritten)',
    options: INIT_PLUGIN_OPTIONS,
    positionals: 2,
    run: initPluginCommand,
  },
  run: {
    summary: 'run an experiment (every cell in its own process), record results in DIR and write its report',
    usage: 'run CONFIG [options]   (CONFIG: a bundled experiment, default or brown, or a JSON file)',
    options: RUN_OPTIONS,
    positionals: 1,
    run: runFromFlags,
  },
  report: {
    summary: "charts, SVGs and index.html from DIR's results (no training)",
    usage: 'report [options]',
    options: REPORT_OPTIONS,
    run: reportFromFlags,
  },
  // issue 13 §2: paired comparison of runs
  compare: {
    summary: 'which differences between runs are real: paired bootstrap and per-token tally of every pair of configurations',
    usage: 'compare [RUN...] [options]   (RUN: a run id or label; none: every pair of DIR)',
    options: COMPARE_OPTIONS,
    positionals: Infinity,
    run: (flags, positionals) => Promise.resolve(compareCommand(flags, positionals)),
  },
  merge: {
    summary: "join shards' results folders into one, and write its report",
    usage: 'merge DIR... --out DIR   (writes the merged results and their report into DIR)',
    options: MERGE_OPTIONS,
    positionals: Infinity,
    run: mergeFromFlags,
  },
  // issue 13 §3: mixtures
  mix: {
    summary: "interpolate runs of DIR with EM weights on valid (SRILM's compute-best-mix), evaluate on test, record the mixture",
    usage: 'mix RUN... [--out DIR] [--json]   (RUN: a run id or label in DIR/results.csv; at least two)',
    options: MIX_OPTIONS,
    positionals: Infinity,
    run: mixFromFlags,
  },
};

const PROGRAM = 'perplexity-bench';

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `usage: ${PROGRAM} COMMAND [options]   (or: npx tsx harness/cli.ts COMMAND [options])`,
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Corpora (--corpus): brown, hihello, ship, text:PATH (one file, split by --fractions), files:TRAIN,VALID,TEST',
    "Run 'COMMAND --help' for a command's options, 'train --model NAME --help' for a model's; --version for the version.",
  ].join('\n');
}

/** `COMMAND --help`: its usage, then every option with its description and default. */
function commandHelp(command: Command, more: ModelFlags | undefined): string {
  const options = formatOptions([...commandOptionRows(command.options), { flag: '-h, --help', description: 'show this help' }]);
  return [`usage: ${PROGRAM} ${command.usage}`, '', `${command.summary}.`, '', 'options:', ...options, ...(more ? ['', ...more.help] : [])].join('\n');
}

/** Runs one command line; resolves to the exit code. Errors are printed as `error: MESSAGE`, never as a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${help()}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-V') {
      process.stdout.write(`${PROGRAM} ${packageVersion()}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) {
      const guess = closestName(name, Object.keys(COMMANDS));
      process.stderr.write(`error: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}\n\n${help()}\n`);
      return 2;
    }
    const more = await command.moreOptions?.(rest);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${commandHelp(command, more)}\n`);
      return 0;
    }
    // The command's own options win over a model's of the same name (train --epochs is the training budget).
    const options = { ...more?.options, ...command.options };
    const hint = command.moreOptions && !more ? " (a model's options are known once --model NAME is given)" : '';
    const parsed = parseCommandLine(name, rest, options, (command.positionals ?? 0) > 0, hint);
    return (await command.run(parsed.values, parsed.positionals)) ?? 0;
  } catch (e) {
    const failure = describeFailure(e);
    process.stderr.write(`${failure.text}\n`);
    return failure.exitCode;
  }
}

// Run when executed directly (not when imported by tests).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('harness/cli.ts')) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
