import { checkResultsFolder } from '../output-path.ts';
import { writeReport } from '../report/write.ts';
import { DEFAULT_OUT, stringFlag, type Flags, type OptionTypes } from './common.ts';
import { type CommandIo, PROCESS_IO } from './io.ts';

export interface ReportArgs {
  /** The results folder to read and write the report into (default `reports`). */
  readonly out?: string;
}

/** `report [--out DIR]`: charts, SVGs, index.html and results.md from DIR's results alone (no training). */
export async function reportCommand(args: ReportArgs, io: CommandIo = PROCESS_IO): Promise<number> {
  const dir = args.out ?? DEFAULT_OUT;
  checkResultsFolder(dir, { option: '--out', example: 'runs/NAME' });
  const { charts, warnings } = await writeReport(dir);
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  io.stdout.write(`${charts.length} charts written to ${dir}/ (open ${dir}/index.html)\n`);
  return 0;
}

export const REPORT_OPTIONS: OptionTypes = {
  out: { type: 'string', value: 'DIR', description: 'the results folder to read; the report is written into it', default: DEFAULT_OUT },
};

/** `report` as the CLI calls it. */
export function reportFromFlags(flags: Flags): Promise<number> {
  return reportCommand({ out: stringFlag(flags, 'out') });
}
