import { encodeSentences, type EncodedSplit, type TokenLevel } from '../../corpora/corpus.ts';
import { encodeTextWithVocabulary } from '../../corpora/load-encoded.ts';
import { readLines, tokenize } from '../../corpora/text-file.ts';
import { UserError } from '../../errors/user-error.ts';
import type { LanguageModel, Protocol } from '../../models/types.ts';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import { QUANTISATION_BITS, type Quantisation } from '../../models/ngram/quantisation.ts';
import { evaluate } from '../metrics.ts';
import { progressReporter } from '../progress.ts';
import { bootstrapSplit } from '../statistics/bootstrap.ts';
import {
  CORPUS_OPTIONS,
  MODE_OPTION,
  PLUGIN_OPTION,
  RESAMPLES_OPTION,
  resamplesFlag,
  pluginRegistry,
  corpusOptions,
  encodeWithVocabulary,
  formatCount,
  levelFlag,
  loadCorpus,
  modeFlag,
  numberFlag,
  splitFlag,
  stringFlag,
  type Flags,
  type OptionTypes,
} from './common.ts';
import { loadModel } from './load-model.ts';

export const EVAL_OPTIONS: OptionTypes = {
  load: { type: 'string', value: 'DIR', description: 'a model folder written by train --save' },
  arpa: { type: 'string', value: 'FILE', description: 'an ARPA n-gram file (KenLM, SRILM; .gz read too), instead of --load' },
  'prob-bits': { type: 'string', value: 'BITS', description: "with --arpa: quantise log10 p of orders ≥ 2 to BITS bits, as KenLM's build_binary -q" },
  'backoff-bits': {
    type: 'string',
    value: 'BITS',
    description: "with --arpa and --prob-bits: bits of the quantised back-off weights, as KenLM's -b (default --prob-bits)",
  },
  text: { type: 'string', value: 'PATH', description: 'score every line of this file as a sentence, instead of --corpus' },
  ...CORPUS_OPTIONS,
  split: { type: 'string', value: 'train|valid|test', description: 'the split of --corpus to score', default: 'test' },
  mode: { ...MODE_OPTION.mode!, default: 'the mode the model was trained in' },
  json: { type: 'boolean', description: 'print the result as one JSON line instead of text' },
  ...RESAMPLES_OPTION,
  ...PLUGIN_OPTION,
};

interface ModelSource {
  model: LanguageModel;
  level: TokenLevel;
  mode: Protocol;
  trainedOn?: ReturnType<typeof loadModel>['trainedOn'];
}

/** --prob-bits and --backoff-bits: the quantisation of an ARPA model, as the ngram options probBits and backoffBits. */
function arpaQuantisation(flags: Flags): Quantisation | undefined {
  const probBits = numberFlag(flags, 'prob-bits', { integer: true, min: QUANTISATION_BITS.prob.min });
  const backoffBits = numberFlag(flags, 'backoff-bits', { integer: true, min: QUANTISATION_BITS.backoff.min });
  if (probBits === undefined) {
    if (backoffBits !== undefined) throw new UserError('--backoff-bits goes with --prob-bits (as KenLM’s -b goes with -q); set --prob-bits too');
    return undefined;
  }
  for (const [name, bits] of [
    ['prob-bits', probBits],
    ['backoff-bits', backoffBits],
  ] as const) {
    if (bits !== undefined && bits > QUANTISATION_BITS.prob.max)
      throw new UserError(`--${name} must be at most ${QUANTISATION_BITS.prob.max} (KenLM's limit), got ${bits}`);
  }
  return { probBits, backoffBits: backoffBits ?? probBits };
}

async function modelSource(flags: Flags): Promise<ModelSource> {
  const load = stringFlag(flags, 'load');
  const arpa = stringFlag(flags, 'arpa');
  if ((load === undefined) === (arpa === undefined)) throw new UserError('eval needs exactly one of --load DIR or --arpa FILE');
  if (load !== undefined) {
    for (const name of ['prob-bits', 'backoff-bits']) {
      if (flags[name] !== undefined)
        throw new UserError(`--${name} quantises a model read with --arpa; a saved model keeps the quantisation it was trained with`);
    }
    const { model, trainedOn } = loadModel(load, await pluginRegistry(flags));
    return { model, level: trainedOn?.level ?? 'word', mode: trainedOn?.mode ?? 'sentence', ...(trainedOn ? { trainedOn } : {}) };
  }
  const { model, warnings } = readArpa(arpa!, { quantisation: arpaQuantisation(flags) });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  return { model, level: 'word', mode: 'sentence' };
}

export async function evalCommand(flags: Flags): Promise<void> {
  const resamples = resamplesFlag(flags);
  const source = await modelSource(flags);
  const { model } = source;
  const mode = modeFlag(flags, source.mode);
  const text = stringFlag(flags, 'text');
  const spec = stringFlag(flags, 'corpus');
  if ((text === undefined) === (spec === undefined)) throw new UserError('eval needs exactly one of --corpus SPEC (with --split) or --text PATH');

  let split: EncodedSplit;
  let corpusName: string;
  let splitName: string;
  let level: TokenLevel;
  if (text !== undefined) {
    if (flags.split !== undefined) throw new UserError('--split goes with --corpus; --text scores every line of the file');
    level = levelFlag(flags) ?? source.level;
    split =
      level === 'word'
        ? encodeTextWithVocabulary(text, model.vocab)
        : encodeSentences(
            readLines(text).map((line) => tokenize(line, level)),
            model.vocab,
            level,
          );
    if (split.tokens.length === 0) throw new UserError(`${text}: no tokens to score`);
    corpusName = text;
    splitName = 'text';
  } else {
    const splitChoice = splitFlag(flags);
    // The same corpus options as in training by default, so that e.g. a text: corpus splits the same way.
    const sameCorpus = source.trainedOn?.corpus === spec;
    const given = corpusOptions(flags);
    const options = sameCorpus ? { ...source.trainedOn!.corpusOptions, ...given } : given;
    const corpus = encodeWithVocabulary(loadCorpus(spec!, options), model.vocab);
    split = corpus[splitChoice];
    corpusName = corpus.name;
    splitName = splitChoice;
    level = corpus.level;
  }

  const started = performance.now();
  const progress = progressReporter(`eval ${model.plugin}`);
  let m: ReturnType<typeof evaluate>;
  const perToken = new Float64Array(split.tokens.length + split.starts.length - 1);
  try {
    m = evaluate(model.scorer(), split, { mode, level, perToken, onProgress: progress.update });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const interval = bootstrapSplit(split, perToken, { mode, resamples });
  const result = {
    model: model.plugin,
    hyperParameters: model.hyperParameters,
    corpus: corpusName,
    split: splitName,
    mode: m.mode,
    sentences: split.starts.length - 1,
    tokens: m.tokens,
    unk: m.unk,
    logprob: m.logprob,
    log10prob: m.logprob / Math.LN10,
    perplexity: m.perplexity,
    /** The 95% bootstrap interval of the perplexity (harness/statistics/bootstrap.ts). */
    perplexityLow: interval.low,
    perplexityHigh: interval.high,
    resamples,
    perplexityWithoutUnk: m.perplexityWithoutUnk,
    bitsPerToken: m.bitsPerToken,
    characters: m.characters,
    bitsPerCharacter: m.bitsPerCharacter,
    zeroProbability: m.zeroProbability,
    invalid: m.invalid,
    seconds,
    tokensPerSecond: m.tokens / seconds,
  };
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    `${[
      `${model.plugin} on ${corpusName} ${splitName} (${mode} mode)`,
      `  tokens ${formatCount(m.tokens)} (${formatCount(m.unk)} <unk>), ln-prob sum ${m.logprob.toFixed(3)}`,
      `  perplexity ${m.perplexity.toFixed(3)}${Number.isNaN(interval.low) ? '' : ` (95% interval ${interval.low.toFixed(3)}–${interval.high.toFixed(3)})`}, without <unk> ${m.perplexityWithoutUnk.toFixed(3)}, ${m.bitsPerToken.toFixed(4)} bits/token` +
        `, ${m.bitsPerCharacter.toFixed(4)} bits/char`,
      ...(m.zeroProbability > 0 ? [`  ${formatCount(m.zeroProbability)} tokens have probability 0 (perplexity is infinite)`] : []),
      ...(m.invalid > 0 ? [`  ${formatCount(m.invalid)} tokens have a NaN log-probability: the model is broken (perplexity is NaN)`] : []),
      `  ${formatCount(Math.round(result.tokensPerSecond))} tokens/s`,
    ].join('\n')}\n`,
  );
}
