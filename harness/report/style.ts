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
  const names = [...new Set(present)].sort((a, b) => familyNameRank(a) - familyNameRank(b) || (a < b ? -1 : 1));
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

/** Tableau 10 (the family colours are four of them), in an order where neighbours differ most. */
const RUN_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#b279a2', '#9d755d', '#ff9da6', '#bab0ac', '#eeca3b', '#72b7b2'] as const;
/** One dash a plug-in (solid first); a family with more runs than colours draws its next ten with the next dash. */
const RUN_DASHES: readonly (readonly number[])[] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [1, 4],
];

/**
 * Colour and dash channels telling apart the runs of one family: a colour a run (the family's own colour
 * first), a dash a plug-in. Both are on the run's name with one title, so Vega-Lite draws a single legend
 * whose entries are short strokes looking like the lines they name.
 */
export function runChannels(
  family: string,
  runs: readonly { readonly name: string; readonly plugin: string }[],
): { color: JsonObject; strokeDash: JsonObject } {
  const names = [...new Set(runs.map((r) => r.name))];
  const pluginOf = new Map(runs.map((r) => [r.name, r.plugin]));
  const plugins = [...new Set(names.map((n) => pluginOf.get(n)))];
  const own = FAMILIES.find((f) => f.name === family)?.colour;
  const colours = [...RUN_COLOURS.filter((c) => c === own), ...RUN_COLOURS.filter((c) => c !== own)];
  const channel = (range: Json[]): JsonObject => ({
    field: 'name',
    type: 'nominal',
    title: 'Run',
    sort: names,
    scale: { domain: names, range },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 300, symbolOpacity: 1, orient: 'bottom', direction: 'vertical' },
  });
  return {
    color: channel(names.map((_, i) => colours[i % colours.length]!)),
    strokeDash: channel(names.map((n, i) => [...RUN_DASHES[(plugins.indexOf(pluginOf.get(n)) + Math.floor(i / RUN_COLOURS.length)) % RUN_DASHES.length]!])),
  };
}

/** The rank of a family by the name charts give it (`n-gram`, `fixed window`, …); unknown ones last. */
export function familyNameRank(name: string): number {
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
