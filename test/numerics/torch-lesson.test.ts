import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manualSeed, RNN, type Tensor } from '../../index.ts';

interface Lesson {
  input: Tensor & { data: number[] };
  output: { shape: number[]; data: number[] };
  hN: { shape: number[]; data: number[] };
  printed: string;
  printedFixed: string;
}

const lesson: Lesson = JSON.parse(readFileSync(new URL('../fixtures/torch/torch_random.json', import.meta.url), 'utf8')).lesson;

/** The lesson's input: "hello", "eolll", "lleel", one-hot over h, e, l, o, as one (3, 5, 4) tensor. */
function helloBatch(): Tensor {
  const [h, e, l, o] = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const words = [
    [h, e, l, l, o],
    [e, o, l, l, l],
    [l, l, e, e, l],
  ];
  return { shape: [3, 5, 4], data: Float32Array.from(words.flat(2)) };
}

/** The README's lesson: its code block (plain JavaScript after the import line) and what it says it prints. */
function readmeLesson(): { code: string; printed: string } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf("### PyTorch's random numbers"));
  const code = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('```\n', section.indexOf('```ts\n') + 6));
  const printed = /\/\/ (-?\d\.\d{4}(?:, -?\d\.\d{4})*)/.exec(code);
  return { code: code.replace(/^import .*\n/m, ''), printed: printed![1]! };
}

function maxAbsoluteDifference(ours: ArrayLike<number>, theirs: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
  return worst;
}

/** The numbers of a torch printout, as printed, in order. */
function printedNumbers(printed: string, pattern: RegExp): string[] {
  return [...printed.matchAll(pattern)].map((m) => m[0]);
}

describe('the first RNN lesson, as PyTorch prints it', () => {
  it("runs as the README writes it and prints what the README says, which is torch's first row", () => {
    const { code, printed } = readmeLesson();
    const lines: string[] = [];
    const run = new Function('manualSeed', 'RNN', 'console', code) as (m: typeof manualSeed, r: typeof RNN, c: { log(line: string): void }) => void;
    run(manualSeed, RNN, { log: (line: string) => lines.push(line) });
    expect(lines).toEqual([printed]);
    const torchFirstRow = Array.from(lesson.output.data.slice(0, 8), (v) => v.toFixed(4)).join(', ');
    expect(printed).toBe(torchFirstRow);
  });

  it('feeds the one-hot "hello" batch through RNN(4, 8) after manualSeed(0) and gets torch\'s tensor', () => {
    const x = helloBatch();
    expect([...x.data]).toEqual(lesson.input.data);
    manualSeed(0);
    const rnn = new RNN({ inputSize: 4, hiddenSize: 8 });
    const { output, hN } = rnn.forward(x);
    expect(output.shape).toEqual(lesson.output.shape);
    expect(hN.shape).toEqual(lesson.hN.shape);
    // The parameters are torch's exactly; the arithmetic is float32 in another order, so within float32 rounding.
    expect(maxAbsoluteDifference(output.data, lesson.output.data)).toBeLessThan(1e-7);
    expect(maxAbsoluteDifference(hN.data, lesson.hN.data)).toBeLessThan(1e-7);
    // Digit for digit as torch prints it to 4 decimals (sci_mode=False, as the notebook shows it).
    const fixed = printedNumbers(lesson.printedFixed, /-?\d+\.\d{4}/g);
    expect(fixed.length).toBe(output.data.length);
    expect(Array.from(output.data, (v) => v.toFixed(4))).toEqual(fixed);
    // torch 1.13's default printout is in e-notation (5 significant digits) because two values are near 0,
    // where the last printed digit is below float32's rounding of the sums: torch gives 1.3497e-4 and 6.9234e-4,
    // we give 1.3494e-4 and 6.9235e-4, and the same parameters in float64 give 1.34942e-4 and 6.92347e-4.
    // Every other value agrees to the printed digits.
    const scientific = printedNumbers(lesson.printed, /-?\d+\.\d+e[-+]\d+/g).map((v) => Number(v).toExponential(4));
    const ours = Array.from(output.data, (v) => v.toExponential(4));
    const differing = ours.flatMap((v, i) => (v === scientific[i] ? [] : [`${v} (torch ${scientific[i]})`]));
    expect(differing).toEqual(['1.3494e-4 (torch 1.3497e-4)', '6.9235e-4 (torch 6.9234e-4)']);
    // The first row the notebook version of the lesson shows.
    expect(Array.from(output.data.subarray(0, 8), (v) => v.toFixed(4))).toEqual([
      '-0.1615',
      '-0.0684',
      '-0.5179',
      '-0.6718',
      '0.4243',
      '0.3967',
      '-0.3416',
      '-0.1014',
    ]);
  });
});
