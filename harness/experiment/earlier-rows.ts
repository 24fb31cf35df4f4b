/**
 * What a `results.csv` written before the plug-ins stated their family label and context length lacks: those
 * columns, filled by the rules the report applied then to the four families it knew. Rows written since carry
 * what their plug-in says; these rules are for the old files alone.
 */

const LABELS: Readonly<Record<string, string>> = { ngram: 'n-gram', window: 'fixed window', recurrent: 'recurrent', example: 'example' };

/** The hyper-parameter that set a bounded model's order, by family (Bengio et al. 2003 also call it n). */
const ORDER_KEY: Readonly<Record<string, string>> = { ngram: 'order', window: 'n' };

export function earlierFamilyLabel(family: string): string {
  return LABELS[family] ?? family;
}

export function earlierContext(family: string, hyperParameters: string): { length: number | 'unbounded' | null; parameter: string } {
  if (family === 'recurrent') return { length: 'unbounded', parameter: '' };
  if (family === 'example') return { length: 0, parameter: '' };
  const key = ORDER_KEY[family];
  let order: unknown;
  try {
    order = key === undefined ? undefined : (JSON.parse(hyperParameters) as Record<string, unknown>)[key];
  } catch {
    order = undefined;
  }
  return typeof order === 'number' && Number.isInteger(order) && order >= 1 ? { length: order - 1, parameter: key! } : { length: null, parameter: '' };
}
