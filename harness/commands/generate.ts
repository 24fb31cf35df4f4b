import { tokenize } from '../../corpora/text-file.ts';
import { UserError } from '../../errors/user-error.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { Random } from '../../numerics/random.ts';
import type { Scorer } from '../../models/types.ts';
import { numberFlag, PLUGIN_OPTION, pluginRegistry, requiredFlag, stringFlag, type Flags, type OptionTypes } from './common.ts';
import { loadModel } from './load-model.ts';

export const GENERATE_OPTIONS: OptionTypes = {
  load: { type: 'string', value: 'DIR', description: 'a model folder written by train --save' },
  tokens: { type: 'string', value: 'N', description: 'tokens to draw (a sentence end counts as one)', default: '100' },
  seed: { type: 'string', value: 'N', description: 'random seed of the sampling', default: '1' },
  temperature: { type: 'string', value: 'T', description: 'sharpen (< 1) or flatten (> 1) the distribution; 0 takes the most likely token', default: '1' },
  prefix: { type: 'string', value: 'TEXT', description: 'start from this text (words outside the vocabulary are read as <unk>)' },
  ...PLUGIN_OPTION,
};

/**
 * Why a next-token distribution cannot be sampled (a NaN or negative entry, or no mass), or undefined. `<s>`
 * (never drawn) is already 0.
 */
function unsampleable(probabilities: Float64Array, word: (id: number) => string): string | undefined {
  let mass = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (!(p >= 0 && p < Infinity)) return `the model gives "${word(i)}" the probability ${p}`;
    mass += p;
  }
  return mass > 0 ? undefined : 'the model gives every token probability 0';
}

/**
 * Draw one token from the scorer's next-token distribution sharpened or flattened by a temperature
 * (p^(1/T), renormalised; T = 0 takes the most likely token). The tempered weights are computed in log
 * space, exp((ln p − max ln p) / T), so that a tiny T tends to the most likely token instead of
 * underflowing every p^(1/T) to 0. `<s>` is never drawn. A distribution that cannot be sampled (NaN, no
 * mass) is a `UserError` saying why; `word` names the token ids in it.
 */
export function sampleNext(
  scorer: Scorer,
  probabilities: Float64Array,
  temperature: number,
  uniform: () => number,
  word: (id: number) => string = String,
): number {
  scorer.distribution(probabilities);
  probabilities[BOS_ID] = 0;
  const problem = unsampleable(probabilities, word);
  if (problem) throw new UserError(problem);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[best]!) best = i;
    return best;
  }
  if (temperature !== 1) {
    let maxLog = -Infinity;
    for (let i = 0; i < probabilities.length; i++) maxLog = Math.max(maxLog, Math.log(probabilities[i]!));
    // The most likely token gets weight 1, so the total is at least 1 however small T is.
    for (let i = 0; i < probabilities.length; i++) probabilities[i] = Math.exp((Math.log(probabilities[i]!) - maxLog) / temperature);
  }
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) total += probabilities[i]!;
  let r = uniform() * total;
  for (let i = 0; i < probabilities.length; i++) {
    r -= probabilities[i]!;
    if (r < 0) return i;
  }
  // Rounding left r a hair above zero: the last token with mass (there is one: the distribution was checked).
  let last = probabilities.length - 1;
  while (probabilities[last]! === 0) last--;
  return last;
}

export async function generateCommand(flags: Flags): Promise<void> {
  const dir = requiredFlag(flags, 'load', 'a model folder written by train --save');
  const count = numberFlag(flags, 'tokens', { integer: true, min: 1 }) ?? 100;
  const seed = numberFlag(flags, 'seed', { integer: true, min: 0 }) ?? 1;
  const temperature = numberFlag(flags, 'temperature', { min: 0 }) ?? 1;
  const { model, trainedOn } = loadModel(dir, await pluginRegistry(flags));
  const level = trainedOn?.level ?? 'word';
  const mode = trainedOn?.mode ?? 'sentence';
  const random = new Random(seed);
  const uniform = (): number => random.float();

  const scorer = model.scorer();
  scorer.reset();
  const out: string[] = [];
  const prefix = stringFlag(flags, 'prefix');
  if (prefix !== undefined) {
    for (const w of tokenize(prefix, level)) {
      if (!model.vocab.has(w)) process.stderr.write(`note: "${w}" is not in the vocabulary; it is read as <unk>\n`);
      scorer.feed(model.vocab.id(w));
      out.push(w, level === 'word' ? ' ' : '');
    }
  }
  const probabilities = new Float64Array(model.vocab.size);
  const word = (id: number): string => model.vocab.word(id);
  for (let i = 0; i < count; i++) {
    let next: number;
    try {
      next = sampleNext(scorer, probabilities, temperature, uniform, word);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const after = out.length ? `after "${out.join('').replace(/\s+/g, ' ').trim().slice(-40)}"` : 'at the start';
      throw new UserError(`${dir}: cannot sample token ${i + 1} (${after}): ${e.message}`);
    }
    if (next === EOS_ID) {
      out.push('\n');
      if (mode === 'sentence') scorer.reset();
      else scorer.feed(next);
      continue;
    }
    scorer.feed(next);
    out.push(model.vocab.word(next), level === 'word' ? ' ' : '');
  }
  const text = out.join('').replace(/ \n/g, '\n').trimEnd();
  if (!text) throw new UserError('the model generated only sentence ends');
  process.stdout.write(`${text}\n`);
}
