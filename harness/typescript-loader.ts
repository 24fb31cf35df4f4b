import { register } from 'tsx/esm/api';

let registered = false;

/**
 * Make `import()` of a TypeScript file work (a user's `plugin.ts`). From the sources a TypeScript loader
 * already runs this module (tsx, vitest), so nothing is done; from the compiled package, tsx's loader is
 * registered once for the rest of the process.
 */
export function ensureTypeScriptLoader(): void {
  if (registered || import.meta.url.endsWith('.ts')) return;
  register();
  registered = true;
}
