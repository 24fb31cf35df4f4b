import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestName, flagNaming, jsonNaming, kebab, schemaKeys } from '../models/option-names.ts';
import { describeIssues } from '../models/plugin.ts';

describe('option names', () => {
  it('closestName: the other spelling of the same name first, then a near miss, else nothing', () => {
    const flags = ['hidden-size', 'embedding-size', 'hidden', 'seed'];
    expect(closestName('hiddenSize', flags)).toBe('hidden-size');
    expect(closestName('hidden-size', ['hiddenSize', 'embeddingSize'])).toBe('hiddenSize');
    expect(closestName('hiden-size', flags)).toBe('hidden-size');
    expect(closestName('alpah', ['alpha', 'order'])).toBe('alpha'); // two letters swapped: one edit
    expect(closestName('sede', flags)).toBe('seed');
    expect(closestName('frobnicate', flags)).toBeUndefined();
    expect(closestName('x', ['n', 'm', 'h'])).toBeUndefined();
  });

  it('kebab and the keys of a refined strict schema', () => {
    expect(kebab('discountFallback')).toBe('discount-fallback');
    expect(kebab('lrPatience')).toBe('lr-patience');
    const schema = z.strictObject({ hiddenSize: z.number().default(1), tie: z.boolean().default(false) }).superRefine(() => {});
    expect(schemaKeys(schema)).toEqual(['hiddenSize', 'tie']);
  });

  it('the same zod issues read as JSON keys or as flags', () => {
    const schema = z
      .strictObject({ embeddingSize: z.number().int().min(1).default(4), hiddenSize: z.number().int().min(1).default(4), k: z.number().optional() })
      .superRefine((hp, ctx) => {
        if (hp.embeddingSize !== hp.hiddenSize)
          ctx.addIssue({ code: 'custom', path: ['embeddingSize'], message: `needs embeddingSize = hiddenSize, and "add-k"` });
      });
    const keys = schemaKeys(schema);
    const bad = schema.safeParse({ hiddenSize: 0, embeddingSize: 3 });
    const unknown = schema.safeParse({ 'hidden-size': 2 });
    if (bad.success || unknown.success) throw new Error('expected failures');
    expect(describeIssues('model "m"', bad.error, jsonNaming(keys))).toBe(
      'model "m": option "hiddenSize": Too small: expected number to be >=1; option "embeddingSize": needs embeddingSize = hiddenSize, and "add-k"',
    );
    expect(describeIssues('model "m"', bad.error, flagNaming(keys))).toBe(
      'model "m": option --hidden-size: Too small: expected number to be >=1; option --embedding-size: needs --embedding-size = --hidden-size, and "add-k"',
    );
    expect(describeIssues('model "m"', unknown.error, jsonNaming(keys))).toBe('model "m": unknown option "hidden-size" (did you mean "hiddenSize"?)');
  });
});
