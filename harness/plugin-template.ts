/**
 * The files `init-plugin NAME` writes: a minimal plug-in that passes `check` unchanged (an add-α unigram model,
 * the smallest model with every part of the contract), written against the public API as a user's own would be.
 */

/** `my-lm` → `MyLm`: the model's class name. */
function className(name: string): string {
  return name
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function pluginTemplate(name: string): Readonly<Record<string, string>> {
  const model = `${className(name)}Model`;
  return {
    'model.ts': `import { BOS_ID, type CheckpointData, EOS_ID, type LanguageModel, type Scorer, type TrainingData, type TrainReport, type Vocabulary } from 'perplexity-bench';

export interface Options extends Record<string, unknown> {
  alpha: number;
}

/**
 * An add-α unigram model: P(w) = (c(w) + α) / (N + α·(|V| − 1)); <s> is never predicted. Replace the counting
 * and the scorer with your model; keep every method (the conformance kit checks them all).
 */
export class ${model} implements LanguageModel {
  readonly plugin = ${JSON.stringify(name)};

  constructor(
    readonly hyperParameters: Options,
    readonly vocab: Vocabulary,
    private probabilities: Float64Array = new Float64Array(vocab.size).fill(1 / (vocab.size - 1)).fill(0, BOS_ID, BOS_ID + 1),
  ) {}

  async train(data: TrainingData): Promise<TrainReport> {
    const started = performance.now();
    const counts = new Float64Array(this.vocab.size);
    for (const token of data.train.tokens) counts[token]! += 1;
    const sentences = data.train.starts.length - 1;
    counts[EOS_ID]! += sentences;
    const total = data.train.tokens.length + sentences;
    const { alpha } = this.hyperParameters;
    for (let w = 0; w < counts.length; w++) this.probabilities[w] = w === BOS_ID ? 0 : (counts[w]! + alpha) / (total + alpha * (this.vocab.size - 1));
    return { tokensTrained: total, seconds: (performance.now() - started) / 1000, epochs: [], stoppedBy: 'done' };
  }

  scorer(): Scorer {
    const p = this.probabilities;
    return {
      vocabSize: p.length,
      reset() {},
      feed() {},
      logProb: (next) => Math.log(p[next]!),
      distribution: (out) => out.set(p),
    };
  }

  parameterCount(): number {
    return this.probabilities.length;
  }

  byteSize(): number {
    return this.probabilities.byteLength;
  }

  toCheckpoint(): CheckpointData {
    return { plugin: this.plugin, hyperParameters: this.hyperParameters, vocabulary: this.vocab.words, meta: null, arrays: { probabilities: this.probabilities } };
  }
}
`,
    'plugin.ts': `import { definePlugin, UserError, z } from 'perplexity-bench';
import { ${model} } from './model.ts';

export default definePlugin({
  name: ${JSON.stringify(name)},
  family: ${JSON.stringify(name)},
  familyLabel: ${JSON.stringify(name)},
  description: 'Add-α unigram model (a starting point: made by perplexity-bench init-plugin).',
  schema: z.strictObject({
    alpha: z.number().positive().default(1).describe('add-α smoothing: every count gets α more'),
  }),
  // Words of history the model conditions on (an n-gram model: order − 1; a recurrent one: 'unbounded').
  contextLength: () => 0,
  create: (hp, vocab) => new ${model}(hp, vocab),
  fromCheckpoint: (data, hp, vocab) => {
    const p = data.arrays.probabilities;
    if (!(p instanceof Float64Array) || p.length !== vocab.size) throw new UserError(${JSON.stringify(`${name} checkpoint: probabilities missing or not of the vocabulary's size`)});
    return new ${model}(hp, vocab, p);
  },
});
`,
    'plugin.test.ts': `import { assertConformance, conformanceChecks } from 'perplexity-bench';
import { it } from 'vitest';
import plugin from './plugin.ts';

// The conformance kit, one test a property: the same checks as \`npx perplexity-bench check ./plugin.ts\`.
for (const check of conformanceChecks(plugin)) {
  it(check.title, async () => assertConformance(await check.run()));
}
`,
    'README.md': `# ${name}

A perplexity-bench plug-in. \`npx perplexity-bench check ./plugin.ts\` runs the conformance kit on it; \`npx perplexity-bench train --plugin ./plugin.ts --model ${name} --corpus brown\` trains it; in an experiment, \`"plugins": ["./plugin.ts"]\`.
`,
  };
}
