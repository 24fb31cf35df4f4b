import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

let registered = false;

/**
 * Let `import()` load TypeScript (a user's plug-in), also when perplexity-bench itself runs as compiled JavaScript.
 * Both of tsx's hooks: a `.ts` file in a folder whose package.json is not `"type": "module"` loads as CommonJS.
 * Registered once per process; under tsx (the repository's CLI) it is harmless.
 */
export function ensureTypeScriptLoader(): void {
  if (registered) return;
  register();
  registerCommonJs();
  registered = true;
}
