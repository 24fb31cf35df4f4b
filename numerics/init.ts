import type { Random } from './random.ts';
import type { FloatArray } from './tensor.ts';

/**
 * PyTorch's default initialisations, so a model starts from the same distribution as its torch twin, drawn from
 * the project's `Random` stream: the same distribution, not the same numbers (the plug-ins' documented
 * initialisation). For torch's own numbers, `numerics/torch/` (`TorchGenerator`, `uniformFill`, `normalFill`).
 */

/**
 * torch.nn.Linear and torch.nn.RNN/LSTM/GRU: every weight and bias ~ U(−1/√fan_in, 1/√fan_in).
 * (Linear's kaiming_uniform_(a=√5) has bound gain·√(3/fan_in) with gain = √(2/(1+5)), i.e. 1/√fan_in.)
 */
export function initUniformFanIn(data: FloatArray, fanIn: number, random: Random): void {
  const bound = 1 / Math.sqrt(fanIn);
  random.uniform(data, -bound, bound);
}

/** torch.nn.Embedding: every entry ~ N(0, 1). */
export function initEmbedding(data: FloatArray, random: Random): void {
  random.normals(data, 0, 1);
}
