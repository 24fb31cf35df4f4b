/** Look shared by every chart: one colour per model family, readable fonts, units in axis titles. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The families the suite comes with, in the order legends list them, by the label charts give them, with their colours. */
export const FAMILIES: readonly { readonly name: string; readonly colour: string }[] = [
  { name: 'n-gram', colour: '#4c78a8' },
  { name: 'fixed window', colour: '#f58518' },
  { name: 'recurrent', colour: '#54a24b' },
  { name: 'example', colour: '#9d755d' },
];

/** Colours for families the report has never heard of: Tableau 20 without the four above and the greys. */
const OTHER_COLOURS = [
  '#e45756',
  '#b279a2',
  '#72b7b2',
  '#eeca3b',
  '#ff9da6',
  '#9ecae9',
  '#ffbf79',
  '#88d27a',
  '#ff9d98',
  '#d6a5c9',
  '#fcbfd2',
  '#b9ac9f',
  '#8cd17d',
  '#79706e',
] as const;

/** FNV-1a of a family's label: the same label gets the same colour in every chart and every report. */
function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A family's colour, by its label: its own for the built-in families, one picked by the label's hash for the rest. */
export function familyColourOf(name: string): string {
  return FAMILIES.find((f) => f.name === name)?.colour ?? OTHER_COLOURS[stableHash(name) % OTHER_COLOURS.length]!;
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
      range: [...names.map(familyColourOf), ...extra.map((e) => e.colour)],
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
  const own = familyColourOf(family);
  const colours = [own, ...RUN_COLOURS.filter((c) => c !== own)];
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

/** The rank of a family by the label charts give it (`n-gram`, `fixed window`, …); unknown ones after, in the order of their labels. */
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
