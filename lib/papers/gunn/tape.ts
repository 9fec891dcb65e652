// Vector-Jacobian products callable from inside a tf.customGrad gradient function.
//
// tfjs 4.22 keeps one global tape: engine.gradients() started while the outer backward pass is
// running (gradientDepth back at 0) replaces `state.activeTape` with a fresh array and sets it to
// null when done, after which the outer pass crashes in its own clean-up ("Cannot read properties
// of null (reading 'forEach')") and leaks the outer saved tensors. We save and restore the outer
// tape around the nested call; the nested call still disposes its own saved tensors.
import * as tf from '@tensorflow/tfjs';

interface EngineWithTape {
  state: { activeTape: unknown };
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

/**
 * d<dy, f()>/d xs for tensors (activations or variables) `xs` that f reads. Unconnected inputs get
 * zeros. Safe to call inside a custom gradient function.
 */
export function vjp(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine() as unknown as EngineWithTape;
  const outer = engine.state.activeTape;
  let res: { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
  try {
    res = engine.gradients(f, xs, dy, true);
  } finally {
    engine.state.activeTape = outer;
  }
  res.value.dispose();
  return xs.map((x, i) => res.grads[i] ?? tf.zerosLike(x));
}
