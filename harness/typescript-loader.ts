let registered: Promise<void> | undefined;

/**
 * Let `import()` load TypeScript (a user's plug-in), also when perplexity-bench itself runs as compiled JavaScript.
 * Both of tsx's hooks: a `.ts` file in a folder whose package.json is not `"type": "module"` loads as CommonJS.
 * Registered once per process; under tsx (the repository's CLI) it is harmless. tsx is imported only here, when a
 * TypeScript plug-in is loaded: importing it costs about 0.3 s, which every command would otherwise pay on start.
 */
export function ensureTypeScriptLoader(): Promise<void> {
  registered ??= (async () => {
    const [{ register }, { register: registerCommonJs }] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    register();
    registerCommonJs();
  })();
  return registered;
}
