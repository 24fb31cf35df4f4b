import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's folder (this file is test/package/install-helpers.ts). */
export const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly files: readonly string[];
  readonly devDependencies: Readonly<Record<string, string>>;
}

export const MANIFEST = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as Manifest;

/** The project's TypeScript compiler, for type-checking a user's file against the shipped declarations. */
export const TSC = join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InstalledPackage {
  /** A user's folder (`npm init -y`) with the packed tarball installed, and nothing of the project's. */
  readonly dir: string;
  readonly tarball: string;
  /** Run a command in `dir` (`run('npx', ['perplexity-bench', '--version'])`). */
  run(command: string, args: readonly string[]): Ran;
  /** Write a file into `dir`. */
  write(name: string, text: string): string;
  remove(): void;
}

/**
 * The environment of the commands, without what `npm test` passes its scripts (`npm_config_*`, `npm_package_*`,
 * `INIT_CWD`): a nested npm would read them as its own configuration, the project's folder included.
 */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
}

function runIn(dir: string, command: string, args: readonly string[]): Ran {
  const r = spawnSync(command, args, { cwd: dir, env: cleanEnvironment(), encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mustRun(dir: string, command: string, args: readonly string[]): Ran {
  const r = runIn(dir, command, args);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} in ${dir} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * What `npm pack` reads: the build's inputs (tsconfig.build.json's `include`), the build's own files and what the
 * package ships beside `dist/`. A copy of them is packed, so the test never writes in the project (not even its
 * `dist/`), and the build runs as `npm pack` runs it in a clean clone.
 */
function packInputs(): string[] {
  const build = JSON.parse(readFileSync(join(PROJECT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  const shipped = MANIFEST.files.filter((f) => f !== 'dist');
  return [...build.include, ...shipped, 'package.json', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'scripts'].filter((p) =>
    existsSync(join(PROJECT, p)),
  );
}

/** `npm pack` a copy of the project, then `npm init -y && npm install TARBALL` in an empty folder (plus `extra` packages). */
export function installPackage(extra: readonly string[] = []): InstalledPackage {
  const root = mkdtempSync(join(tmpdir(), 'perplexity-bench-package-'));
  const source = join(root, 'source');
  for (const p of packInputs()) cpSync(join(PROJECT, p), join(source, p), { recursive: true });
  symlinkSync(realpathSync(join(PROJECT, 'node_modules')), join(source, 'node_modules'));
  mustRun(source, 'npm', ['pack', '--pack-destination', root, '--silent']);
  const tarball = join(root, `${MANIFEST.name}-${MANIFEST.version}.tgz`);
  const dir = join(root, 'user');
  mkdirSync(dir);
  mustRun(dir, 'npm', ['init', '-y']);
  mustRun(dir, 'npm', ['install', tarball, ...extra, '--prefer-offline', '--no-audit', '--no-fund']);
  return {
    dir,
    tarball,
    run: (command, args) => runIn(dir, command, args),
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
