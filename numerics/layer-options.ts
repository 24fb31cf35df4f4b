import { UserError } from '../errors/user-error.ts';

/** A layer's size option, checked: `layer` names the layer in the message (`Linear option "inFeatures" …`). */
export function positiveIntegerOption(layer: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new UserError(`${layer} option "${name}" must be an integer ≥ 1, got ${String(v)}`);
  return v;
}
