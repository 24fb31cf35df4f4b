/**
 * Temporary entry for the harness commands until they join `harness/cli.ts`'s command table:
 *   npx tsx harness/commands/main.ts run CONFIG [--out DIR] [--force] [--shard K/N]
 *   npx tsx harness/commands/main.ts report [--out DIR]
 *   npx tsx harness/commands/main.ts merge DIR… [--out DIR]
 */
import { parseArgs } from 'node:util';
import { UserError } from '../../corpora/user-error.ts';
import { mergeCommand } from './merge.ts';
import { reportCommand } from './report.ts';
import { runCommand } from './run.ts';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { out: { type: 'string' }, force: { type: 'boolean' }, shard: { type: 'string' } },
  });
  switch (command) {
    case 'run':
      if (positionals.length !== 1) throw new UserError('usage: run CONFIG [--out DIR] [--force] [--shard K/N]');
      return runCommand({ config: positionals[0]!, out: values.out, force: values.force, shard: values.shard });
    case 'report':
      return reportCommand({ out: values.out });
    case 'merge':
      return mergeCommand({ inputs: positionals, out: values.out });
    default:
      throw new UserError(`unknown command "${command ?? ''}"; use run, report or merge`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(e instanceof UserError ? `error: ${e.message}\n` : `${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(e instanceof UserError ? 2 : 1);
  },
);
