import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pb-cli-'));

/** Run the CLI exactly as a user does: `npx tsx harness/cli.ts ARGS` (node with tsx's loader). */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'harness/cli.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const lines = Array.from({ length: 40 }, (_, i) => `the cat ${i % 2 ? 'sat' : 'ran'} on mat ${i % 5}`);
const corpusFile = join(dir, 'cats.txt');
writeFileSync(corpusFile, `${lines.join('\n')}\n`);

describe('CLI', () => {
  it('trains, saves, evaluates as JSON and generates', () => {
    const model = join(dir, 'model');
    const train = cli('train', '--model', 'unigram', '--alpha', '0.5', '--corpus', `text:${corpusFile}`, '--save', model, '--json');
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const t = JSON.parse(train.stdout);
    expect(t.model).toBe('unigram');
    expect(t.hyperParameters).toEqual({ alpha: 0.5 });
    expect(t.validPerplexity).toBeGreaterThan(1);

    const ev = cli('eval', '--load', model, '--corpus', `text:${corpusFile}`, '--split', 'test', '--json');
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.stdout);
    for (const key of ['model', 'corpus', 'split', 'mode', 'tokens', 'unk', 'logprob', 'perplexity']) expect(e).toHaveProperty(key);
    // 4 test sentences of 6 words, each with its </s>.
    expect(e.tokens).toBe(4 * 7);
    expect(e.split).toBe('test');
    expect(e.mode).toBe('sentence');
    expect(e.perplexity).toBeCloseTo(Math.exp(-e.logprob / e.tokens), 9);
    // The 95% bootstrap interval over the 4 sentences, in both commands' JSON.
    expect(e.perplexityLow).toBeLessThanOrEqual(e.perplexity);
    expect(e.perplexityHigh).toBeGreaterThanOrEqual(e.perplexity);
    expect(e.perplexityHigh).toBeGreaterThan(e.perplexityLow);
    expect(t.validPerplexityLow).toBeLessThanOrEqual(t.validPerplexity);
    expect(t.validPerplexityHigh).toBeGreaterThanOrEqual(t.validPerplexity);
    // Bits per character: "the cat sat on mat 3" is 15 letters and digits plus 6 separators a sentence.
    expect(e.characters).toBe(4 * 21);
    expect(e.bitsPerCharacter).toBeCloseTo(-e.logprob / (4 * 21) / Math.LN2, 12);
    // The resamples are an option (said in the JSON); too few are refused.
    const few = JSON.parse(cli('eval', '--load', model, '--corpus', `text:${corpusFile}`, '--json', '--resamples', '100').stdout);
    expect(few.perplexity).toBe(e.perplexity);
    expect(few.perplexityLow).toBeLessThanOrEqual(e.perplexity);
    expect([e.resamples, few.resamples]).toEqual([2000, 100]);
    const refused = cli('eval', '--load', model, '--corpus', `text:${corpusFile}`, '--resamples', '10');
    expect([refused.code, refused.stderr]).toEqual([2, 'error: --resamples must be an integer ≥ 100, got "10"\n']);

    const textFile = join(dir, 'score.txt');
    writeFileSync(textFile, 'the cat sat on a hat\n');
    const tx = JSON.parse(cli('eval', '--load', model, '--text', textFile, '--json').stdout);
    expect(tx.tokens).toBe(7);
    expect(tx.unk).toBe(2);

    const gen = cli('generate', '--load', model, '--tokens', '20', '--seed', '5', '--temperature', '0.8');
    expect(gen.code).toBe(0);
    expect(gen.stdout.trim().length).toBeGreaterThan(0);
    expect(cli('generate', '--load', model, '--tokens', '20', '--seed', '5', '--temperature', '0.8').stdout).toBe(gen.stdout);
  });

  it('scores a KenLM ARPA file as KenLM query does, and round-trips a trained model through ARPA', () => {
    const ref = join(root, 'test/fixtures/kenlm');
    const kenlm = JSON.parse(readFileSync(join(ref, 'perplexities.json'), 'utf8'))['open/order3'];
    const q = JSON.parse(cli('eval', '--arpa', join(ref, 'open/order3.arpa.gz'), '--text', join(ref, 'open/test.txt'), '--json').stdout);
    expect(q.tokens).toBe(kenlm.tokens);
    expect(q.unk).toBe(kenlm.oov);
    expect(Math.abs(q.perplexity / kenlm.perplexity_including_oov - 1)).toBeLessThan(1e-6);
    expect(Math.abs(q.perplexityWithoutUnk / kenlm.perplexity_excluding_oov - 1)).toBeLessThan(1e-6);

    const model = join(dir, 'kn3');
    const corpus = `files:${join(ref, 'open/train.txt')},${join(ref, 'open/test.txt')},${join(ref, 'open/test.txt')}`;
    expect(cli('train', '--model', 'ngram', '--order', '3', '--smoothing', 'mkn', '--corpus', corpus, '--save', model, '--json').code).toBe(0);
    const loaded = JSON.parse(cli('eval', '--load', model, '--corpus', corpus, '--split', 'test', '--json').stdout);
    expect(Math.abs(loaded.perplexity / kenlm.perplexity_including_oov - 1)).toBeLessThan(1e-6);
    const arpa = join(dir, 'kn3.arpa');
    expect(cli('export-arpa', '--load', model, '--out', arpa).code).toBe(0);
    expect(readFileSync(arpa, 'utf8')).toMatch(/^\\data\\\nngram 1=/);
    const back = JSON.parse(cli('eval', '--arpa', arpa, '--text', join(ref, 'open/test.txt'), '--json').stdout);
    expect(back.logprob).toBe(loaded.logprob);
  });

  it('explains bad input without a stack trace, naming the option or file', () => {
    const unknown = cli('train', '--model', 'unigram', '--alpah', '1', '--corpus', 'hihello');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: train: unknown option --alpah \(did you mean --alpha\?\)/);
    const range = cli('train', '--model', 'unigram', '--alpha=-1', '--corpus', 'hihello');
    expect(range.stderr).toMatch(/model "unigram": option --alpha: /);
    expect(cli('train', '--model', 'nope', '--corpus', 'hihello').stderr).toMatch(/unknown model "nope"; available: unigram, ngram\b/);
    expect(cli('eval', '--load', join(dir, 'missing'), '--corpus', 'hihello').stderr).toMatch(/no such model folder/);
    expect(cli('train', '--model', 'unigram', '--corpus', `text:${join(dir, 'nofile.txt')}`).stderr).toMatch(/nofile\.txt: no such file/);
    expect(cli('train', '--model', 'unigram', '--corpus', `text:${corpusFile}`, '--min-count', '0').stderr).toMatch(/--min-count must be an integer ≥ 1/);
    expect(cli('train', '--model', 'unigram', '--corpus', 'hihello', '--mode', 'sideways').stderr).toMatch(/--mode must be/);
    expect(cli('frobnicate').code).toBe(2);
  });
});
