import { tokenize } from '../../corpora/text-file.ts';
import { UserError } from '../../corpora/user-error.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { Random } from '../../models/neural/random.ts';
import type { Scorer } from '../../models/types.ts';
import { numberFlag, requiredFlag, stringFlag, type Flags, type OptionTypes } from './common.ts';
import { loadModel } from './load-model.ts';

export const GENERATE_OPTIONS: OptionTypes = {
  load: { type: 'string', value: 'DIR', description: 'a model folder written by train --save' },
  tokens: { type: 'string', value: 'N', description: 'tokens to draw (a sentence end counts as one)', default: '100' },
  seed: { type: 'string', value: 'N', description: 'random seed of the sampling', default: '1' },
  temperature: { type: 'string', value: 'T', description: 'sharpen (< 1) or flatten (> 1) the distribution; 0 takes the most likely token', default: '1' },
  prefix: { type: 'string', value: 'TEXT', description: 'start from this text (words outside the vocabulary are read as <unk>)' },
};

/**
 * Draw one token from the scorer's next-token distribution sharpened or flattened by a temperature
 * (p^(1/T), renormalised; T = 0 takes the most likely token). `<s>` is never drawn.
 */
export function sampleNext(scorer: Scorer, probabilities: Float64Array, temperature: number, uniform: () => number): number {
  scorer.distribution(probabilities);
  probabilities[BOS_ID] = 0;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[best]!) best = i;
    return best;
  }
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = temperature === 1 ? probabilities[i]! : probabilities[i]! ** (1 / temperature);
    probabilities[i] = p;
    total += p;
  }
  let r = uniform() * total;
  for (let i = 0; i < probabilities.length; i++) {
    r -= probabilities[i]!;
    if (r < 0) return i;
  }
  // Rounding left r a hair above zero: the last token with mass.
  for (let i = probabilities.length - 1; i >= 0; i--) if (probabilities[i]! > 0) return i;
  throw new Error('the distribution has no mass');
}

export async function generateCommand(flags: Flags): Promise<void> {
  const dir = requiredFlag(flags, 'load', 'a model folder written by train --save');
  const count = numberFlag(flags, 'tokens', { integer: true, min: 1 }) ?? 100;
  const seed = numberFlag(flags, 'seed', { integer: true, min: 0 }) ?? 1;
  const temperature = numberFlag(flags, 'temperature', { min: 0 }) ?? 1;
  const { model, trainedOn } = loadModel(dir);
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
  for (let i = 0; i < count; i++) {
    const next = sampleNext(scorer, probabilities, temperature, uniform);
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
