import { register as registerCommonJs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

let registered = false;

/**
 * Make `import()` of a TypeScript file work (a user's `plugin.ts`). From the sources a TypeScript loader
 * already runs this module (tsx, vitest), so nothing is done; from the compiled package, tsx's loaders are
 * registered once for the rest of the process, as `node --import tsx` does: the ES module one, and the CommonJS
 * one for a `.ts` file in a folder whose package.json says `"type": "commonjs"` (npm init's default), which
 * Node loads as CommonJS (its `export default` then arrives as the module's `default.default`).
 */
export function ensureTypeScriptLoader(): void {
  if (registered || import.meta.url.endsWith('.ts')) return;
  registerEsm();
  registerCommonJs();
  registered = true;
}
