import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/user-error.ts';
import { isCheckout, PACKAGE_DIR } from './package-info.ts';
import { isModelFolder } from '../models/checkpoint.ts';
import { BENCH_FILE } from './report/bench.ts';
import { LOCK_FILE } from './experiment/lock.ts';
import { CURVES_FILE, RESULTS_FILE } from './experiment/results.ts';
import { CORPORA_DIR, RUNS_DIR } from './experiment/token-files.ts';

/**
 * Where a command may write. Each command that writes checks its output path here before any work starts, so
 * a mistaken path costs an error message, not the user's files nor half an hour of training. The rules:
 * - inside this project's folder, outputs go only under `reports/`, `runs/` or `tmp/`; the rest is its sources;
 *   inside an installed package (no `.git`), nowhere;
 * - every folder on the way must be a folder (`--save FILE/sub` is refused);
 * - `--save DIR`: a new folder, an empty one, or a model saved before (replaced); never another folder, a file,
 *   the current folder or one that contains it, nor a project's folder (one holding `.git` or `package.json`);
 * - `--out DIR` of run, report and merge: a new or empty folder, or a results folder (see `checkResultsFolder`);
 * - `--out FILE` of export-arpa: a new file, or an existing one with `--overwrite`; never a folder.
 */

/** The project's own folder (or the installed package's), wherever the command runs from. */
export const PROJECT_DIR = PACKAGE_DIR;

/** The folders of the project's own where commands may write: the results' default and two git-ignored ones. */
export const OUTPUT_FOLDERS: readonly string[] = ['reports', 'runs', 'tmp'];

/** Entries that mark a folder as some project's (a clone, a package), which no command may fill or replace. */
const PROJECT_MARKERS = ['.git', 'package.json'];

/** What a run leaves in its folder before its first row reaches results.csv (or a benchmark put there for the report). */
const RESULT_ENTRIES = new Set([RESULTS_FILE, CURVES_FILE, LOCK_FILE, RUNS_DIR, CORPORA_DIR, BENCH_FILE]);

interface Located {
  /** The absolute path with every link on the way resolved. */
  readonly real: string;
  readonly exists: boolean;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `path` resolved, its missing tail kept as typed; the nearest existing folder on the way must be a folder. */
function locate(option: string, path: string): Located {
  let existing = resolve(path);
  const missing: string[] = [];
  while (!exists(existing)) {
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw new UserError(`${option} ${path}: ${existing} is a link to nothing; remove it or choose another path`);
  }
  if (missing.length > 0 && !statSync(real).isDirectory()) {
    throw new UserError(`${option} ${path}: ${existing} is a file, not a folder`);
  }
  return { real: join(real, ...missing), exists: missing.length === 0 };
}

/** Whether `path` is `folder` or inside it. */
function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** How the user named the path: the option, and a path to suggest instead (e.g. `runs/mkn5`). */
export interface OutputOption {
  readonly option: string;
  readonly example: string;
}

function checkProjectFolder({ option, example }: OutputOption, path: string, real: string): void {
  if (within(PROJECT_DIR, real)) {
    const how = real === PROJECT_DIR ? 'is' : 'contains';
    throw new UserError(`${option} ${path}: ${how} this project's folder (${PROJECT_DIR}); choose a folder of its own, e.g. ${option} ${example}`);
  }
  if (!within(real, PROJECT_DIR)) return;
  if (!isCheckout()) {
    throw new UserError(`${option} ${path}: is inside the installed package (${PROJECT_DIR}); choose a folder of your own, e.g. ${option} ${example}`);
  }
  const top = relative(PROJECT_DIR, real).split(sep)[0]!;
  if (!OUTPUT_FOLDERS.includes(top)) {
    throw new UserError(
      `${option} ${path}: is inside this project's sources (${join(PROJECT_DIR, top)}); inside the project, commands write only under ${OUTPUT_FOLDERS.map((f) => `${f}/`).join(', ')}: e.g. ${option} ${example}`,
    );
  }
}

/** A few names of a listing, for a message. */
function someOf(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

function entriesOf({ option, example }: OutputOption, path: string, real: string): string[] {
  const entries = readdirSync(real).sort();
  const marker = PROJECT_MARKERS.find((m) => entries.includes(m));
  if (marker !== undefined) {
    throw new UserError(`${option} ${path}: holds ${marker}, so it is a project's folder, not an output; choose another, e.g. ${option} ${example}`);
  }
  return entries;
}

/** Run a check; a path that cannot even be looked at (no permission, …) is named too, not a stack trace. */
function named<T>({ option }: OutputOption, path: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof UserError || code === undefined) throw e;
    throw new UserError(`${option} ${path}: cannot be checked (${code})`);
  }
}

export type ModelFolderState = 'new' | 'empty' | 'model';

/**
 * Check `train --save DIR` before anything is trained. Returns whether DIR is new, empty, or a model saved
 * before (which the save replaces: its `model.json` and `arrays.bin`, nothing else); anything else is a
 * `UserError` naming the path and why.
 */
export function checkModelFolder(path: string, to: OutputOption): ModelFolderState {
  return named(to, path, () => modelFolderState(path, to));
}

function modelFolderState(path: string, to: OutputOption): ModelFolderState {
  const { option, example } = to;
  const { real, exists: found } = locate(option, path);
  const cwd = realpathSync(process.cwd());
  if (real === cwd) throw new UserError(`${option} ${path}: is the current folder; a model gets a folder of its own, e.g. ${option} ${example}`);
  checkProjectFolder(to, path, real);
  if (within(cwd, real)) throw new UserError(`${option} ${path}: contains the current folder (${cwd}); choose a folder of its own, e.g. ${option} ${example}`);
  if (!found) return 'new';
  if (!statSync(real).isDirectory()) {
    throw new UserError(`${option} ${path}: is a file; a model is saved as a folder (model.json and arrays.bin): choose a new one, e.g. ${option} ${example}`);
  }
  const entries = entriesOf(to, path, real);
  if (entries.length === 0) return 'empty';
  if (isModelFolder(real)) return 'model';
  throw new UserError(
    `${option} ${path}: is a folder that is not a model saved by perplexity-bench (it holds ${someOf(entries)}); ${option} writes a new folder or replaces a saved model, and leaves any other folder alone: choose a new one, e.g. ${option} ${example}`,
  );
}

/**
 * Check a results folder (`--out` of run, report and merge) before any work: it may be new or empty, hold a
 * `results.csv` (a folder that run or merge wrote; the commands write only their own files there and leave
 * the others), or hold only what a run leaves before its first result. A file, or a folder of other things,
 * is a `UserError` naming a few of them.
 */
export function checkResultsFolder(path: string, to: OutputOption): void {
  named(to, path, () => resultsFolder(path, to));
}

function resultsFolder(path: string, to: OutputOption): void {
  const { option, example } = to;
  const { real, exists: found } = locate(option, path);
  checkProjectFolder(to, path, real);
  if (!found) return;
  if (!statSync(real).isDirectory()) throw new UserError(`${option} ${path}: is a file; ${option} names a results folder`);
  const entries = entriesOf(to, path, real);
  if (entries.includes(RESULTS_FILE)) return;
  const foreign = entries.filter((name) => !RESULT_ENTRIES.has(name) && !name.includes('.tmp-'));
  if (foreign.length > 0) {
    throw new UserError(
      `${option} ${path}: holds files that are not results (${someOf(foreign)}); ${option} takes a new or empty folder, or one that run or merge wrote: choose another, e.g. ${option} ${example}`,
    );
  }
}

/**
 * Check an output file (`export-arpa --out FILE`) before the work: a new file, or with `overwrite` an existing
 * one; a folder, or a file without `overwrite`, is a `UserError`.
 */
export function checkOutputFile(path: string, overwrite: boolean, to: OutputOption): void {
  named(to, path, () => outputFile(path, overwrite, to));
}

function outputFile(path: string, overwrite: boolean, to: OutputOption): void {
  const { option } = to;
  const { real, exists: found } = locate(option, path);
  checkProjectFolder(to, path, real);
  if (!found) return;
  if (statSync(real).isDirectory())
    throw new UserError(`${option} ${path}: is a folder; ${option} names the file to write, e.g. ${option} ${join(path, 'model.arpa')}`);
  if (!overwrite) throw new UserError(`${option} ${path}: exists; add --overwrite to replace it, or choose a new name`);
}
