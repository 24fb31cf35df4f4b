import { predictedTokens, type EncodedCorpus } from '../../corpora/corpus.ts';
import { loadEncodedCorpus } from '../../corpora/load-encoded.ts';
import { BROWN_PAPER } from '../../corpora/brown.ts';
import { saveCheckpoint, type JsonValue } from '../../models/checkpoint.ts';
import { loadPlugins } from '../plugin-loader.ts';
import type { Protocol } from '../../models/types.ts';
import { formatOptions, modelOptionRows } from '../help.ts';
import { hyperParametersFromFlags, modelFlagOptions, modelOptionSpecs } from '../model-options.ts';
import { checkModelFolder, type ModelFolderState } from '../output-path.ts';
import { progressReporter } from '../progress.ts';
import { assertSoundModel } from '../sound-model.ts';
import { bootstrapSplit } from '../statistics/bootstrap.ts';
import { trainAndMeasure, type Measurement } from '../measure.ts';
import type { HarnessTrainReport } from '../train.ts';
import {
  BUDGET_OPTIONS,
  CORPUS_OPTIONS,
  MODE_OPTION,
  PLUGIN_OPTION,
  pluginRegistry,
  budgetFlags,
  corpusOptions,
  formatCount,
  numberFlag,
  modeFlag,
  requiredFlag,
  stringFlag,
  type Flags,
  type OptionTypes,
} from './common.ts';

export const TRAIN_OPTIONS: OptionTypes = {
  model: { type: 'string', value: 'NAME', description: "the model to train (see 'models'); 'train --model NAME --help' lists its options" },
  ...CORPUS_OPTIONS,
  ...MODE_OPTION,
  ...BUDGET_OPTIONS,
  seed: { type: 'string', value: 'N', description: 'random seed (initialisation, shuffling, dropout)', default: '1' },
  save: {
    type: 'string',
    value: 'DIR',
    description:
      'save the trained model in DIR (for eval, generate, export-arpa): a new or empty folder, or a model saved before (replaced); any other folder is refused',
  },
  json: { type: 'boolean', description: 'print the summary as one JSON line instead of text' },
  ...PLUGIN_OPTION,
};

/** The chosen model's options: what the command line accepts, and their section of `train --model NAME --help`. */
export interface ModelFlags {
  readonly options: OptionTypes;
  readonly help: readonly string[];
}

/** `train` takes the chosen plug-in's hyper-parameters as flags too; they are known once `--model` is. */
export async function trainModelOptions(argv: readonly string[]): Promise<ModelFlags | undefined> {
  const name = optionValues(argv, 'model').at(-1);
  if (!name) return undefined;
  const plugin = (await loadPlugins(optionValues(argv, 'plugin'), process.cwd())).find(name);
  const specs = modelOptionSpecs(plugin);
  return {
    options: modelFlagOptions(specs, plugin.renamedOptions),
    help: [
      `options of the model ${plugin.name} (in a JSON experiment, keys of "hyperParameters" in camelCase: --hidden-size is hiddenSize):`,
      ...formatOptions(modelOptionRows(specs)),
    ],
  };
}

/** The values of `--NAME V` / `--NAME=V` in a command line not parsed yet (a value that is an option is none). */
export function optionValues(argv: readonly string[], name: string): string[] {
  const values: string[] = [];
  argv.forEach((a, i) => {
    const value = a === `--${name}` ? argv[i + 1] : a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : undefined;
    if (value && !value.startsWith('-')) values.push(value);
  });
  return values;
}

/** One table of split sizes; for Brown, beside the figures Bengio et al. 2003 report. */
export function describeCorpus(corpus: EncodedCorpus): string {
  const rows = (['train', 'valid', 'test'] as const).map((name) => {
    const s = corpus[name];
    const words = s.tokens.length;
    const paper = corpus.name === 'brown' ? `  (paper: ${formatCount(BROWN_PAPER[name])})` : '';
    return `  ${name.padEnd(5)} ${formatCount(s.starts.length - 1).padStart(8)} sentences ${formatCount(words).padStart(10)} ${corpus.level === 'char' ? 'chars' : 'words'}${paper}  <unk> ${formatCount(s.unk)} (${((100 * s.unk) / Math.max(words, 1)).toFixed(2)}%)  predicted ${formatCount(predictedTokens(s))}`;
  });
  const paperV = corpus.name === 'brown' ? `  (paper: ${formatCount(BROWN_PAPER.vocabulary)})` : '';
  return [`corpus ${corpus.name} (${corpus.level} level)`, ...rows, `  vocabulary ${formatCount(corpus.vocab.size)} including <unk> <s> </s>${paperV}`].join(
    '\n',
  );
}

export interface TrainProvenance {
  corpus: string;
  corpusOptions: Record<string, JsonValue>;
  level: string;
  mode: Protocol;
  seed: number;
  report: HarnessTrainReport;
}

export async function trainCommand(flags: Flags): Promise<void> {
  const pluginName = requiredFlag(flags, 'model', 'a registered model; see `models`');
  const plugin = (await pluginRegistry(flags)).find(pluginName);
  const hyperParameters = hyperParametersFromFlags(plugin, flags);
  const spec = requiredFlag(flags, 'corpus', 'brown, hihello, ship, text:PATH or files:TRAIN,VALID,TEST');
  const options = corpusOptions(flags);
  const mode = modeFlag(flags);
  const seed = numberFlag(flags, 'seed', { integer: true, min: 0 }) ?? 1;
  const budget = budgetFlags(flags);
  const save = stringFlag(flags, 'save');
  const json = flags.json === true;
  // Before the corpus is even read: a wrong --save must cost a message, not the training time (nor a folder).
  const saving: ModelFolderState | undefined = save === undefined ? undefined : checkModelFolder(save, { option: '--save', example: `runs/${plugin.name}` });

  const corpus = loadEncodedCorpus(spec, options);
  const model = plugin.create(hyperParameters, corpus.vocab);
  if (!json) process.stderr.write(`${describeCorpus(corpus)}\n`);

  const progress = progressReporter(`train ${plugin.name}`);
  let measured: Measurement;
  const validPerToken = new Float64Array(predictedTokens(corpus.valid));
  try {
    measured = await trainAndMeasure(model, corpus, { seed, mode, ...(budget ? { budget } : {}), validPerToken, onProgress: progress.update });
  } finally {
    progress.stop();
  }
  const { report, valid } = measured;
  const peakRssMB = measured.peakRssBytes / 2 ** 20;
  const validInterval = bootstrapSplit(corpus.valid, validPerToken, { mode });

  // A broken model (NaN anywhere) fails the command before anything is written.
  const checkpoint = save ? model.toCheckpoint() : undefined;
  assertSoundModel(model, { valid }, checkpoint && { arrays: checkpoint.arrays, consequence: `nothing was saved to ${save}` });
  if (save && checkpoint) {
    const provenance: TrainProvenance = {
      corpus: spec,
      corpusOptions: { ...options } as Record<string, JsonValue>,
      level: corpus.level,
      mode,
      seed,
      report,
    };
    saveCheckpoint(save, { ...checkpoint, provenance: provenance as unknown as JsonValue });
  }

  const summary = {
    model: plugin.name,
    hyperParameters: model.hyperParameters,
    corpus: corpus.name,
    mode,
    seed,
    vocabulary: corpus.vocab.size,
    parameters: model.parameterCount(),
    bytes: model.byteSize(),
    ...(model.ngramCount ? { ngrams: model.ngramCount(), bytesPerNgram: model.byteSize() / model.ngramCount() } : {}),
    trainSeconds: measured.trainSeconds,
    trainTokens: report.tokensTrained,
    trainTokensPerSecond: measured.trainTokensPerSecond,
    epochs: report.epochs,
    stoppedBy: report.stoppedBy,
    validPerplexity: valid.perplexity,
    validPerplexityLow: validInterval.low,
    validPerplexityHigh: validInterval.high,
    validPerplexityWithoutUnk: valid.perplexityWithoutUnk,
    scoringTokensPerSecond: measured.scoringTokensPerSecond,
    peakRssMB,
    ...(save ? { saved: save } : {}),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const lines = [
    `model ${plugin.name} ${JSON.stringify(model.hyperParameters)}`,
    `  parameters ${formatCount(summary.parameters)}, ${formatCount(summary.bytes)} bytes${summary.ngrams ? ` (${formatCount(summary.ngrams)} n-grams, ${summary.bytesPerNgram!.toFixed(2)} bytes per n-gram)` : ''}`,
    `  trained on ${formatCount(report.tokensTrained)} tokens in ${measured.trainSeconds.toFixed(2)} s (${report.stoppedBy})`,
    ...report.epochs.map((e) => `  epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, valid perplexity ${e.validPerplexity.toFixed(2)}`),
    `  valid perplexity ${valid.perplexity.toFixed(3)} (${formatCount(valid.tokens)} tokens, ${formatCount(valid.unk)} <unk>; without <unk> ${valid.perplexityWithoutUnk.toFixed(3)}; 95% interval ${validInterval.low.toFixed(3)}–${validInterval.high.toFixed(3)})`,
    `  scoring ${formatCount(Math.round(summary.scoringTokensPerSecond))} tokens/s (valid), peak RSS ${peakRssMB.toFixed(0)} MB`,
    ...(save ? [`  saved to ${save}${saving === 'model' ? ' (replacing the model saved there before)' : ''}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
