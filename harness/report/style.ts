/** Look shared by every chart: one colour per model family, readable fonts, units in axis titles. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Families in the order legends list them, with the name and colour every chart gives them. */
export const FAMILIES: readonly { readonly family: string; readonly name: string; readonly colour: string }[] = [
  { family: 'ngram', name: 'n-gram', colour: '#4c78a8' },
  { family: 'window', name: 'fixed window', colour: '#f58518' },
  { family: 'recurrent', name: 'recurrent', colour: '#54a24b' },
  { family: 'example', name: 'example', colour: '#9d755d' },
];
const OTHER = { name: 'other', colour: '#bab0ac' };

export function familyName(family: string): string {
  return FAMILIES.find((f) => f.family === family)?.name ?? family;
}

export function familyRank(family: string): number {
  const i = FAMILIES.findIndex((f) => f.family === family);
  return i < 0 ? FAMILIES.length : i;
}

/**
 * The colour channel for the families present in a chart. Each family keeps its colour whatever else is
 * plotted, because domain and range are both given, family by family.
 */
export function familyColour(present: readonly string[], extra: readonly { name: string; colour: string }[] = []): JsonObject {
  const names = [...new Set(present)].sort((a, b) => rankOfName(a) - rankOfName(b) || (a < b ? -1 : 1));
  return {
    field: 'family',
    type: 'nominal',
    title: 'Model family',
    scale: {
      domain: [...names, ...extra.map((e) => e.name)],
      range: [...names.map((n) => FAMILIES.find((f) => f.name === n)?.colour ?? OTHER.colour), ...extra.map((e) => e.colour)],
    },
  };
}

function rankOfName(name: string): number {
  const i = FAMILIES.findIndex((f) => f.name === name);
  return i < 0 ? FAMILIES.length : i;
}

export const CHART_CONFIG: JsonObject = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 280, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 280 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15, subtitleFontSize: 11, anchor: 'start', subtitleColor: '#555' },
  view: { stroke: '#ddd' },
};

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Round derived numbers to 6 significant digits: compact, and the same text for the same results. */
export function round(x: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(6)) : x;
}

export const MIB = 1024 * 1024;
