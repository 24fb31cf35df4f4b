/**
 * The bounds of torch.nn's default initialisations (`torch/nn/init.py`, `torch/nn/modules/linear.py`,
 * `torch/nn/modules/rnn.py`), computed in double as Python does, so that the float32 bound torch casts them to
 * is the same.
 */

/** `calculate_gain('leaky_relu', a)` = √(2 / (1 + a²)). */
function leakyReluGain(a: number): number {
  return Math.sqrt(2 / (1 + a * a));
}

/** `kaiming_uniform_(w, a)` with mode fan_in: bound = √3 · gain / √fan_in (Linear's weight, a = √5: ≈ 1/√fan_in). */
export function kaimingUniformBound(fanIn: number, a: number): number {
  const std = leakyReluGain(a) / Math.sqrt(fanIn);
  return Math.sqrt(3) * std;
}

/** Linear's bias, and every RNN/LSTM/GRU parameter (with fan = hidden size): 1/√fan, or 0 for fan 0. */
export function inverseSqrtBound(fan: number): number {
  return fan > 0 ? 1 / Math.sqrt(fan) : 0;
}

/** Linear's weight: `kaiming_uniform_(weight, a=math.sqrt(5))`. */
export const LINEAR_WEIGHT_A = Math.sqrt(5);
