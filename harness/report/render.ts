import type { TopLevelSpec } from 'vega-lite';
import type { JsonObject } from './style.ts';

export interface Rendered {
  readonly svg: string;
  /** What Vega-Lite and Vega warned about while compiling and rendering (a clean chart has none). */
  readonly warnings: readonly string[];
}

/**
 * A Vega-Lite spec to SVG, in Node with no browser: compile to Vega, run the dataflow headless
 * (`renderer: 'none'`) and serialise the scenegraph. The output depends only on the spec.
 * Vega and Vega-Lite are imported here, on the first chart, not on start: together they take about 0.8 s to load,
 * which every command (`train` too) would otherwise pay.
 */
export async function renderSvg(spec: JsonObject): Promise<Rendered> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, 'warn', (_method, _level, args) => {
    warnings.push(args.map(String).join(' '));
  });
  // Vega tags the inline data rows it reads (a symbol id per row), so it gets a copy of the spec.
  const compiled = compile(structuredClone(spec) as unknown as TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return { svg: svg.endsWith('\n') ? svg : `${svg}\n`, warnings };
  } finally {
    view.finalize();
  }
}
