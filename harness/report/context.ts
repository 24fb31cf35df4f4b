/**
 * How many words of history a model conditions on, from its family and hyper-parameters: what the
 * "model size against context length" chart puts on its x axis. A recurrent state carries the whole
 * history (unbounded); an n-gram model of order n and a window model of n words both see n − 1.
 */
export type ContextLength = { readonly kind: 'bounded'; readonly words: number; readonly key: string | null } | { readonly kind: 'unbounded' };

/** The hyper-parameter that sets a bounded model's order, by family (Bengio et al. 2003 also call it n). */
const ORDER_KEY: Readonly<Record<string, string>> = { ngram: 'order', window: 'n' };

export function contextLength(family: string, hyperParameters: Readonly<Record<string, unknown>>): ContextLength | undefined {
  if (family === 'recurrent') return { kind: 'unbounded' };
  if (family === 'example') return { kind: 'bounded', words: 0, key: null };
  const key = ORDER_KEY[family];
  const order = key === undefined ? undefined : hyperParameters[key];
  return typeof order === 'number' && Number.isInteger(order) && order >= 1 ? { kind: 'bounded', words: order - 1, key: key! } : undefined;
}
