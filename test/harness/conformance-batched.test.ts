import { describe, expect, it } from 'vitest';
import { conformanceChecks } from '../../harness/conformance/index.ts';
import { findPlugin } from '../../models/registry.ts';
import type { LanguageModel, ModelPlugin, Scorer } from '../../models/types.ts';

/** A plug-in like the bigram `ngram` but whose scorer has the given `scoreSentences`. */
function withScoreSentences(make: (scorer: Scorer) => Scorer['scoreSentences']): ModelPlugin {
  const ngram = findPlugin('ngram');
  const wrap = (model: LanguageModel): LanguageModel => {
    const scorer = model.scorer.bind(model);
    return Object.assign(model, {
      scorer: () => {
        const s = scorer();
        s.scoreSentences = make(s);
        return s;
      },
    });
  };
  return {
    ...ngram,
    create: (hp, vocab) => wrap(ngram.create(hp, vocab)),
    fromCheckpoint: (data) => wrap(ngram.fromCheckpoint(data)),
    conformance: [{ hyperParameters: { order: 2 } }],
  };
}

async function bulkCheck(plugin: ModelPlugin) {
  const [check] = conformanceChecks(plugin, { properties: ['bulk = token by token'] });
  return check!.run();
}

describe('the conformance kit on scoreSentences', () => {
  it('passes a correct one and says it checked it', async () => {
    const plugin = withScoreSentences((s) => (sentences, outs) => {
      sentences.forEach((seq, j) => {
        s.reset();
        s.scoreSequence!(seq, outs[j]!);
      });
      s.reset();
    });
    const r = await bulkCheck(plugin);
    expect(r.pass).toBe(true);
    expect(r.figure).toMatch(/^max \|bulk − token by token\| = 0 over \d+ tokens in sentence mode, \d+ tokens in stream mode, scoreSentences$/);
  });

  it('fails one that carries the history from one sentence into the next, naming the sentence and token', async () => {
    const plugin = withScoreSentences((s) => (sentences, outs) => {
      s.reset();
      for (let j = 0; j < sentences.length; j++) s.scoreSequence!(sentences[j]!, outs[j]!);
      s.reset();
    });
    const r = await bulkCheck(plugin);
    expect(r.pass).toBe(false);
    // The worst case: `</s>` alone after every test sentence (in evaluate's sentence mode, which goes through it
    // too, a sentence sees only the few before it in its group).
    expect(r.worst).toMatch(/^scoreSentences, "<\/s>" alone, after the test sentences, token 1 \("<\/s>"\): -\d\S*, token by token -\d/);
  });

  it('fails one that leaves the history where its last sentence ended', async () => {
    const plugin = withScoreSentences((s) => (sentences, outs) => {
      sentences.forEach((seq, j) => {
        s.reset();
        s.scoreSequence!(seq, outs[j]!);
      });
    });
    const r = await bulkCheck(plugin);
    expect(r.pass).toBe(false);
    expect(r.worst).toMatch(/^after scoreSentences the history is not <s>/);
  });
});
