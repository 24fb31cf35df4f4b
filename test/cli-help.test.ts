import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../harness/cli.ts';
import { modelOptionSpecs } from '../harness/model-options.ts';
import { BUILT_IN_PLUGINS } from '../models/registry.ts';
import { runMain as cli } from './run-main.ts';

/** The help line of one option: the flag at the start of a line, then its description. */
const lineOf = (help: string, flag: string): string | undefined => help.split('\n').find((l) => l.trimStart().startsWith(`${flag} `) || l.trim() === flag);

describe('COMMAND --help', () => {
  it.each(Object.keys(COMMANDS))('%s --help lists every option with its description and default', async (name) => {
    const r = await cli(name, '--help');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^usage: perplexity-bench ${name}\\b`));
    for (const [option, spec] of Object.entries(COMMANDS[name]!.options)) {
      const line = lineOf(r.stdout, `--${option}`);
      expect(line, `--${option}`).toBeDefined();
      expect(line).toContain(spec.description);
      if (spec.value) expect(line).toContain(`--${option} ${spec.value}`);
      if (spec.default !== undefined) expect(line).toContain(`(default ${spec.default})`);
    }
    expect(r.stdout).toMatch(/-h, --help +show this help/);
  });

  it('states the defaults the commands apply', async () => {
    const generate = (await cli('generate', '-h')).stdout;
    expect(lineOf(generate, '--temperature')).toMatch(/--temperature T +sharpen .* 0 takes the most likely token \(default 1\)$/);
    expect(lineOf(generate, '--tokens')).toMatch(/\(default 100\)$/);
    expect(lineOf((await cli('train', '--help')).stdout, '--seed')).toMatch(/--seed N +random seed .*\(default 1\)$/);
    expect(lineOf((await cli('run', '--help')).stdout, '--out')).toMatch(/\(default reports\)$/);
  });

  it("train --model NAME --help adds that model's options, as flags, with descriptions and defaults", async () => {
    const r = await cli('train', '--model', 'gru', '--help');
    expect(r.code).toBe(0);
    expect(lineOf(r.stdout, '--corpus')).toBeDefined();
    expect(r.stdout).toMatch(/options of the model gru/);
    expect(lineOf(r.stdout, '--hidden-size')).toMatch(/^ {2}--hidden-size N +hidden units H per layer \(default 128\)$/);
    expect(lineOf(r.stdout, '--learning-rate')).toMatch(/--learning-rate X +initial learning rate \(default 0\.002\)$/);
    expect(lineOf(r.stdout, '--optimizer')).toMatch(/--optimizer adam\|sgd\|sparse-adam .*\(default adam\)$/);
    // Other options named in a description are flags too.
    expect(lineOf(r.stdout, '--[no-]tie')).toMatch(/needs --embedding-size = --hidden-size\) \(default false\)$/);
    expect(r.stdout).not.toMatch(/embeddingSize = hiddenSize/);
    expect((await cli('train', '--help')).stdout).not.toMatch(/--hidden-size/);
  });

  it.each(BUILT_IN_PLUGINS.map((p) => p.name))("every option of %s has a description, in 'models' and in train --model NAME --help", async (name) => {
    const full = (await cli('train', `--model=${name}`, '--help')).stdout;
    const help = full.slice(full.indexOf(`options of the model ${name}`));
    const models = (await cli('models')).stdout;
    for (const o of modelOptionSpecs(BUILT_IN_PLUGINS.find((p) => p.name === name)!)) {
      expect(o.description, `${name} ${o.key}`).toBeTruthy();
      const flag = o.type === 'boolean' ? `--[no-]${o.flag}` : `--${o.flag}`;
      const line = lineOf(help, flag);
      expect(line, flag).toBeDefined();
      expect(models.split('\n')).toContain(line);
    }
  });

  it('train --model NOPE --help names the model', async () => {
    const r = await cli('train', '--model', 'nope', '--help');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown model "nope"/);
  });

  it('the overview names every command and how to get more', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(r.stdout).toMatch(/'train --model NAME --help'/);
    expect(r.stdout).toMatch(/--version/);
  });
});
