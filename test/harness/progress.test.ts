import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../harness/experiment/config.ts';
import { expandGrid } from '../../harness/experiment/grid.ts';
import { formatDuration, progressDisplay, type TextStream } from '../../harness/experiment/progress.ts';
import type { ResultRow } from '../../harness/experiment/results.ts';
import { LOG_INTERVAL_MS, progressLine, progressReporter } from '../../harness/progress.ts';

function sink(isTTY: boolean): TextStream & { text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  w.isTTY = isTTY;
  w.columns = 160;
  return Object.assign(w, { text: () => text }) as unknown as TextStream & { text: () => string };
}

const [cell] = expandGrid({ name: 't', path: '/x/t.json', config: parseExperiment({ corpora: ['ship'], models: [{ plugin: 'unigram' }] }, 't.json') });
const row = { status: 'ok', testPerplexity: 12.345, validPerplexity: Infinity, trainSeconds: 1.5, trainTokensPerSecond: 12345.6 } as ResultRow;

describe('progress', () => {
  it('prints plain lines off a terminal', () => {
    const out = sink(false);
    const d = progressDisplay(out, false);
    d.onEvent({ type: 'plan', cells: 3, toRun: 1, skipped: 2 });
    d.onEvent({ type: 'start', cell: cell!, position: 1, of: 1, pid: 1 });
    d.onEvent({ type: 'progress', cell: cell!, event: { phase: 'epoch 1', done: 5, total: 10, unit: 'tokens' } });
    d.onEvent({ type: 'progress', cell: cell!, event: { phase: 'validation 1', done: 1, unit: 'validations', validPerplexity: 182.2951 } });
    d.onEvent({ type: 'done', cell: cell!, row });
    d.stop();
    expect(out.text()).toBe(
      '3 runs in the grid: 1 to run, 2 already done\n' +
        '[1/1] unigram on ship (sentence, seed 1)\n' +
        '      validation 1: valid ppl 182.30\n' +
        '[1/1] done: test ppl 12.35, valid ppl ∞, 1.5 s training, 12,346 tok/s\n',
    );
  });

  it('draws bars on a terminal and keeps the finished runs on screen', () => {
    const out = sink(true);
    const d = progressDisplay(out, true);
    d.onEvent({ type: 'plan', cells: 1, toRun: 1, skipped: 0 });
    d.onEvent({ type: 'start', cell: cell!, position: 1, of: 1, pid: 1 });
    d.onEvent({ type: 'progress', cell: cell!, event: { phase: 'epoch 1', done: 5, total: 10, unit: 'tokens', tokensPerSecond: 2000, loss: 4.5 } });
    d.onEvent({ type: 'progress', cell: cell!, event: { phase: 'validation 1', done: 1, unit: 'validations', validPerplexity: Infinity } });
    d.onEvent({ type: 'done', cell: cell!, row: { ...row, status: 'failed', error: 'boom' } as ResultRow });
    d.stop();
    d.stop();
    expect(out.text()).toContain('unigram validation 1: valid ppl ∞');
    expect(out.text()).toContain('✗ unigram on ship (sentence, seed 1): failed: boom');
  });

  it("logs a run's progress every few seconds between its start and its end", () => {
    const out = sink(false);
    let now = 0;
    const d = progressDisplay(out, false, { intervalMs: 1000, clock: () => now });
    d.onEvent({ type: 'plan', cells: 1, toRun: 1, skipped: 0 });
    d.onEvent({ type: 'start', cell: cell!, position: 1, of: 1, pid: 1 });
    for (let t = 0; t <= 2500; t += 250) {
      now = t;
      d.onEvent({ type: 'progress', cell: cell!, event: { phase: 'epoch 1', done: t, total: 5000, unit: 'tokens', tokensPerSecond: 1234.4, loss: 4.5 } });
    }
    expect(out.text().split('\n').slice(2)).toEqual(['      epoch 1 20% 1,234 tok/s loss 4.500', '      epoch 1 40% 1,234 tok/s loss 4.500', '']);
  });

  it('train and eval off a terminal: a line every few seconds and validations as often, nothing sooner', () => {
    const out = sink(false);
    let now = 0;
    const p = progressReporter('eval gru', { stream: out, clock: () => now });
    const scoring = (done: number): void => p.update({ phase: 'scoring', done, total: 1_100_000, unit: 'tokens', tokensPerSecond: 7000 });
    scoring(10_000);
    now = LOG_INTERVAL_MS - 1;
    scoring(40_000);
    expect(out.text()).toBe('');
    now = LOG_INTERVAL_MS;
    scoring(41_000);
    // A validation as old as the interval shows, however recent the last progress line.
    now = LOG_INTERVAL_MS + 10;
    p.update({ phase: 'validation 1', done: 1, unit: 'validations', validPerplexity: 182.2951 });
    now = LOG_INTERVAL_MS + 20;
    p.update({ phase: 'validation 2', done: 2, unit: 'validations', validPerplexity: 180 });
    now = 2 * LOG_INTERVAL_MS + 5;
    scoring(80_000);
    p.stop();
    expect(out.text()).toBe('eval gru: scoring 3% 7,000 tok/s\n' + 'eval gru: validation 1: valid ppl 182.30\n' + 'eval gru: scoring 7% 7,000 tok/s\n');
  });

  it('formats one progress line with the parts an event has', () => {
    expect(progressLine({ phase: 'counting', done: 3, unit: 'orders' })).toBe('counting');
    expect(progressLine({ phase: 'epoch 2', done: 12, total: 10, unit: 'tokens', loss: 1 })).toBe('epoch 2 100% loss 1.000');
  });

  it('formats durations', () => {
    expect([0.4, 42, 185, 3725].map(formatDuration)).toEqual(['0s', '42s', '3m05s', '1h02m']);
  });
});
