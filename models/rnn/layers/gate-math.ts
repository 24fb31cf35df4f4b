// TEMPORARY until the neural core's activations land (branch `window`): the logistic gate function.
export const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));
