/** The family, family label and model of a mixture's row in results.csv (a module of its own: the report imports it). */
export const MIXTURE_FAMILY = 'mixture';
