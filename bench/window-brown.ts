import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { kernelThreads } from '../numerics/kernels/threads.ts';
import type { Budget, Protocol } from '../models/types.ts';
import { windowPlugin } from '../models/window/plugin.ts';
import { exportBrownIds } from './brown-ids.ts';

/**
 * A full Brown run of the window model for the closing figures of issue 5: trains by the shared harness
 * (`trainModel`, valid perplexity by `harness/metrics.ts` after each epoch), then reports parameters, pure
 * training tokens/s (validation excluded, from the trainer's progress), scoring tokens/s, peak RSS and the
 * valid/test perplexity of the parameters the model ends with (the best epoch's).
 *
 *   npx tsx bench/window-brown.ts --mode stream --epochs 1 [--seconds 1800] [--hp '{"n":5,"m":60,"h":50,"direct":true}'] [--out FILE.jsonl]
 *
 * `--export DIR` instead writes the Brown training, valid and test windows of the mode (int32 files, see
 * `bench/brown-ids.ts`) for the PyTorch twins: `bench/torch_window.py --data DIR` trains on exactly these.
 */
const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'stream' },
    epochs: { type: 'string' },
    seconds: { type: 'string' },
    hp: { type: 'string', default: '{"n":5,"m":60,"h":50,"direct":true}' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    export: { type: 'string' },
  },
});
const mode = values.mode as Protocol;
if (mode !== 'stream' && mode !== 'sentence') throw new Error('--mode is stream or sentence');
const budget: Budget = {
  ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
  ...(values.seconds ? { seconds: Number(values.seconds) } : {}),
};
const hyperParameters = JSON.parse(values.hp) as Record<string, unknown>;

const corpus = encodeCorpus(loadCorpus('brown'));
if (values.export) {
  const n = Number(hyperParameters.n ?? 5);
  exportBrownIds(corpus, values.export, n, mode);
  console.log(`wrote the ${mode}-mode windows (n = ${n}) of Brown train, valid and test to ${values.export}`);
  process.exit(0);
}
const model = windowPlugin.create(hyperParameters, corpus.vocab);
const rates: { epoch: string; tokensPerSecond: number }[] = [];
let lastPrint = 0;
const report = await trainModel(model, corpus, {
  seed: Number(values.seed),
  mode,
  budget,
  onProgress: (e) => {
    const last = rates.at(-1);
    if (last?.epoch === e.phase) last.tokensPerSecond = e.tokensPerSecond ?? NaN;
    else rates.push({ epoch: e.phase, tokensPerSecond: e.tokensPerSecond ?? NaN });
    if (performance.now() - lastPrint > 60_000) {
      lastPrint = performance.now();
      process.stderr.write(`${e.phase}: ${e.done}/${e.total} tokens, ${Math.round(e.tokensPerSecond ?? 0)} tokens/s, loss ${e.loss?.toFixed(3)}\n`);
    }
  },
});
for (const e of report.epochs)
  process.stderr.write(
    `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, valid perplexity ${e.validPerplexity.toFixed(2)} at ${e.seconds.toFixed(0)} s\n`,
  );

const scorer = model.scorer();
let started = performance.now();
const valid = evaluate(scorer, corpus.valid, { mode });
const validSeconds = (performance.now() - started) / 1000;
started = performance.now();
const test = evaluate(model.scorer(), corpus.test, { mode });
const testSeconds = (performance.now() - started) / 1000;
const result = {
  model: 'window',
  hyperParameters: model.hyperParameters,
  mode,
  budget,
  kernelThreads: kernelThreads(),
  vocabulary: corpus.vocab.size,
  parameters: model.parameterCount(),
  bytes: model.byteSize(),
  tokensTrained: report.tokensTrained,
  seconds: report.seconds,
  stoppedBy: report.stoppedBy,
  bestEpoch: report.bestEpoch,
  epochs: report.epochs,
  trainTokensPerSecond: rates.map((r) => Math.round(r.tokensPerSecond)),
  validPerplexity: valid.perplexity,
  testPerplexity: test.perplexity,
  testPerplexityWithoutUnk: test.perplexityWithoutUnk,
  scoringTokensPerSecond: Math.round((valid.tokens + test.tokens) / (validSeconds + testSeconds)),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
};
const line = JSON.stringify(result);
console.log(line);
if (values.out) appendFileSync(values.out, `${line}\n`);
