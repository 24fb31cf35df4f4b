import { z } from 'zod';

/**
 * A hyper-parameter that is a list: a JSON array in an experiment, or a comma-separated value on the command
 * line (`--lambdas 0.5,0.6,0.7`), both checked by the same array schema.
 */
export function listOption<T extends z.ZodType<number[], number[]>>(list: T, example: string) {
  return z.union([
    list,
    z
      .string()
      .regex(/^[^,\s]+(,[^,\s]+)*$/, `a comma-separated list, e.g. ${example}`)
      .transform((s) => s.split(',').map(Number))
      .pipe(list),
  ]);
}
