import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../harness/experiment/config.ts';
import { expandGrid } from '../../harness/experiment/grid.ts';
import { formatDuration, progressDisplay, type TextStream } from '../../harness/experiment/progress.ts';
import type { ResultRow } from '../../harness/experiment/results.ts';

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
    expect(out.text()).toContain('✗ unigram on ship (sentence, seed 1): FAILED: boom');
  });

  it('formats durations', () => {
    expect([0.4, 42, 185, 3725].map(formatDuration)).toEqual(['0s', '42s', '3m05s', '1h02m']);
  });
});
