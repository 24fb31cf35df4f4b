import { describe, expect, it } from 'vitest';
import { mixCommand } from '../../harness/commands/mix.ts';
import { readResults, writeResults } from '../../harness/experiment/results.ts';
import { readRunTokens } from '../../harness/experiment/token-files.ts';
import { mixtureId } from '../../harness/mixture/mix.ts';
import { loadReportData } from '../../harness/report/data.ts';
import { mixtureSection } from '../../harness/report/mixtures.ts';
import { cliInProcess } from './cli-in-process.ts';
import { CHARACTERS, mixFolder, TOKENS, temporaryFolders } from './mix-fixture.ts';

const tmp = temporaryFolders('pb-mix-');

function capture(): { io: Parameters<typeof mixCommand>[1]; out: () => string } {
  const chunks: string[] = [];
  const io = { stdout: { write: (c: string) => chunks.push(c) > 0 }, stderr: { write: () => true } } as unknown as Parameters<typeof mixCommand>[1];
  return { io, out: () => chunks.join('') };
}

describe('mix', () => {
  it('finds weights of ½ for two runs each right on half the tokens, and the mixture perplexity of 2 (p = ½ on every token)', async () => {
    const dir = mixFolder(tmp());
    const { io, out } = capture();
    expect(await mixCommand({ runs: ['first', 'rnn-2'], out: dir, json: true, resamples: 200 }, io)).toBe(0);
    const json = JSON.parse(out()) as Record<string, unknown> & { weights: number[]; components: { test: { perplexity: number } }[] };
    expect(json.weights[0]).toBeCloseTo(0.5, 12);
    expect(json.weights[1]).toBeCloseTo(0.5, 12);
    // The per-token files are float32: 0.9 and 0.1 to 7 digits.
    expect(json.validPerplexity).toBeCloseTo(2, 7);
    expect(json.testPerplexity).toBeCloseTo(2, 7);
    expect(json.components[0]!.test.perplexity).toBeCloseTo(10 / 3, 6);
    expect(json.testGain).toBeCloseTo(0.4, 6);
    expect(json.id).toBe(mixtureId(['ngram-1', 'rnn-2']));

    const mixed = readResults(dir).rows.find((r) => r.id === json.id)!;
    expect(mixed).toMatchObject({
      family: 'mixture',
      familyLabel: 'mixture',
      model: 'mixture',
      label: 'mix(first + second)',
      corpusId: 'ab-1',
      contextLength: null,
      parameters: 150,
      modelBytes: 600,
      trainSeconds: 3,
      testTokens: TOKENS,
      testCharacters: CHARACTERS,
      cell: 4,
    });
    expect(mixed.testBitsPerCharacter).toBeCloseTo((TOKENS * Math.log2(2)) / CHARACTERS, 7);
    expect(JSON.parse(mixed.hyperParameters)).toEqual({
      components: [
        { id: 'ngram-1', label: 'first', weight: json.weights[0] },
        { id: 'rnn-2', label: 'second', weight: json.weights[1] },
      ],
      tolerance: 1e-10,
    });
    // Its per-token file is ln Σ λ p: ln(½·0.9 + ½·0.1) = ln ½ on every token.
    const f32 = readRunTokens(dir, mixed.id, TOKENS, 'test');
    expect(typeof f32).not.toBe('string');
    for (const v of f32 as Float32Array) expect(v).toBeCloseTo(Math.log(0.5), 6);
    expect(readRunTokens(dir, mixed.id, TOKENS, 'valid')).toEqual(f32);
  });

  it('replaces its row when the same runs are mixed again, and the row round-trips', async () => {
    const dir = mixFolder(tmp());
    await mixCommand({ runs: ['first', 'second'], out: dir, resamples: 200 }, capture().io);
    const before = readResults(dir).rows;
    const { io, out } = capture();
    await mixCommand({ runs: ['ngram-1', 'rnn-2'], out: dir, resamples: 200 }, io);
    // The same runs in the other order are the same mixture too: its row again, the weights in the order given.
    await mixCommand({ runs: ['second', 'first'], out: dir, resamples: 200 }, capture().io);
    expect(
      readResults(dir)
        .rows.filter((r) => r.family === 'mixture')
        .map((r) => r.label),
    ).toEqual(['mix(second + first)']);
    await mixCommand({ runs: ['ngram-1', 'rnn-2'], out: dir, resamples: 200 }, capture().io);
    const after = readResults(dir).rows;
    expect(after.length).toBe(4);
    expect(after.filter((r) => r.family === 'mixture').length).toBe(1);
    expect(after.find((r) => r.family === 'mixture')!.cell).toBe(before.find((r) => r.family === 'mixture')!.cell);
    writeResults(dir, readResults(dir));
    expect(readResults(dir).rows).toEqual(after);
    expect(out()).toMatch(/mixture of 2 runs on ab \(sentence\): EM weights on valid, 1 iteration to/);
    expect(out()).toMatch(/0\.5000 {2}3\.33 \[1\.11, 10\.00\]/);
    expect(out()).toMatch(/test perplexity 2\.00 against 3\.33 of the best component \(first\): 40\.0% lower/);
  });

  it('refuses runs that did not predict the same tokens, naming what differs, with exit code 2', async () => {
    const dir = mixFolder(tmp());
    const r = await cliInProcess('mix', 'first', 'other', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: first \(ab, sentence\) \(ab-1, 8 tokens\) and other \(ab, sentence\) \(ab-2, 3 tokens\) did not predict the same tokens: their corpus differ/,
    );
  });

  it('says what is wrong with the runs named', async () => {
    const dir = mixFolder(tmp());
    expect((await cliInProcess('mix', 'first', '--out', dir)).stderr).toMatch(/error: mix needs at least two runs/);
    const unknown = await cliInProcess('mix', 'first', 'nope', '--out', dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: no run with id or label "nope" in .*results\.csv: the runs there are labelled "first", "second", "other"/);
    expect((await cliInProcess('mix', 'first', 'ngram-1', '--out', dir)).stderr).toMatch(/a run is named twice/);
    expect((await cliInProcess('mix', 'first', 'second', '--out', dir, '--tolerance', '-1')).stderr).toMatch(/--tolerance must be a number ≥ 0/);
    expect((await cliInProcess('mix', 'a', 'b', '--out', tmp())).stderr).toMatch(/results\.csv: no results; run an experiment first/);
  });

  it("gives the report a section of the mixtures' weights and gains", async () => {
    const dir = mixFolder(tmp());
    expect(mixtureSection(loadReportData(dir))).toBeUndefined();
    await mixCommand({ runs: ['first', 'second'], out: dir, resamples: 200 }, capture().io);
    const section = mixtureSection(loadReportData(dir))!;
    expect(section.title).toBe('Mixtures');
    expect(section.html).toContain(
      '<td>first: 0.500<br>second: 0.500</td><td class="num">2.00 [2.00, 2.00]</td><td class="num">first 3.33</td><td class="num">40.0%</td>',
    );
  });
});
