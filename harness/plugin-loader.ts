import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors/user-error.ts';
import { ensureTypeScriptLoader } from './typescript-loader.ts';
import { type LoadedPlugin, PluginRegistry } from '../models/registry.ts';
import type { ModelPlugin } from '../models/types.ts';

/** A path (`./bigram.ts`, `/abs/plugin.js`, `plugin.mjs`) rather than a package name (`some-package`, `@scope/pkg`). */
function isPath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.[cm]?[jt]s$/.test(spec) || (spec.includes('\\') && !spec.startsWith('@'));
}

/** The entry point of an installed package that `import` would load (its `exports` for import, or `main`). */
function packageEntry(spec: string, baseDir: string): string | undefined {
  const require = createRequire(join(baseDir, 'noop.js'));
  try {
    return require.resolve(spec);
  } catch {
    // An ESM-only package (exports without a "require" condition) is not found by require.resolve: read its package.json.
  }
  const manifestPath = (require.resolve.paths(spec) ?? []).map((folder) => join(folder, spec, 'package.json')).find((p) => existsSync(p));
  if (manifestPath === undefined) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; module?: string; main?: string };
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (e === null || typeof e !== 'object') return undefined;
    const conditions = e as Record<string, unknown>;
    return pick(conditions['.'] ?? conditions.import ?? conditions.node ?? conditions.default);
  };
  const entry = pick(manifest.exports) ?? manifest.module ?? manifest.main ?? 'index.js';
  return resolve(dirname(manifestPath), entry);
}

/**
 * Where a plug-in module named by the user is: a path, against `baseDir` (the current folder for `--plugin`,
 * the config's folder for an experiment's `"plugins"`), or a package installed where `baseDir` can see it.
 */
export function resolvePluginModule(spec: string, baseDir: string, source: string): string {
  if (isPath(spec)) {
    const path = resolve(baseDir, spec);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) throw new UserError(`${source}: plug-in ${spec}: no such file (${path})`);
    if (!stat.isFile()) throw new UserError(`${source}: plug-in ${spec}: is a folder, not a module file (${path})`);
    return path;
  }
  const entry = packageEntry(spec, baseDir);
  if (entry === undefined || !existsSync(entry)) {
    throw new UserError(`${source}: plug-in ${spec}: no such file, nor a package installed in ${baseDir} (a file path starts with ./)`);
  }
  return entry;
}

/** The fields a registry entry has, as `definePlugin` makes them: checked on what a module exports. */
const REQUIRED: readonly (readonly [key: string, type: string])[] = [
  ['name', 'string'],
  ['family', 'string'],
  ['familyLabel', 'string'],
  ['description', 'string'],
  ['create', 'function'],
  ['fromCheckpoint', 'function'],
  ['contextLength', 'function'],
];

/** Why `value` is not what `definePlugin` returns, or undefined when it is. */
function notAPlugin(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `it is ${value === null ? 'null' : typeof value}`;
  const v = value as Record<string, unknown>;
  const wrong = REQUIRED.filter(([key, type]) => typeof v[key] !== type).map(([key, type]) => `${key} (${type})`);
  const schema = v.schema as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== 'function') wrong.push('schema (a zod schema)');
  if (!Array.isArray(v.conformance)) wrong.push('conformance (a list)');
  return wrong.length ? `it lacks ${wrong.join(', ')}` : undefined;
}

const DEFINE = "its default export must be what definePlugin(...) returns, or a list of them (import { definePlugin } from 'perplexity-bench')";

/** The plug-ins a module's default export holds, or a `UserError` naming the module and why not. */
function pluginsOf(exported: Record<string, unknown>, path: string): ModelPlugin[] {
  let value = exported.default;
  // A TypeScript or CommonJS module loaded as CommonJS arrives wrapped: { default: module.exports }.
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && notAPlugin(value) !== undefined && 'default' in value) {
    value = (value as { default: unknown }).default;
  }
  if (value === undefined) throw new UserError(`${path}: exports no plug-in: ${DEFINE}`);
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0) throw new UserError(`${path}: exports an empty list of plug-ins`);
  return list.map((p, i) => {
    const why = notAPlugin(p);
    if (why)
      throw new UserError(`${path}: ${Array.isArray(value) ? `item ${i} of the default export` : 'the default export'} is not a plug-in (${why}): ${DEFINE}`);
    return p as ModelPlugin;
  });
}

/** Import one plug-in module (already resolved to a file) and return its plug-ins. */
export async function importPlugins(path: string): Promise<ModelPlugin[]> {
  if (/\.[cm]?ts$/.test(path)) await ensureTypeScriptLoader();
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`${path}: failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  return pluginsOf(exported, path);
}

/**
 * The registry of the built-ins and the plug-ins of the modules named (`--plugin` values or an experiment's
 * `"plugins"`), resolved against `baseDir`; `source` names where they were named, for errors. Nothing is
 * loaded from anywhere else: no folder is scanned.
 */
export async function loadPlugins(specs: readonly string[], baseDir: string, source = '--plugin'): Promise<PluginRegistry> {
  const loaded: LoadedPlugin[] = [];
  for (const spec of specs) {
    const module = resolvePluginModule(spec, baseDir, source);
    if (loaded.some((l) => l.module === module)) continue;
    for (const plugin of await importPlugins(module)) loaded.push({ plugin, module });
  }
  return new PluginRegistry(loaded);
}
