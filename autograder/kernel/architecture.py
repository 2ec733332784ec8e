"""What a Keras model is made of, read from its layers and weights rather than from its source code.

The kernel describes each model it sees train this way (its Dense layers, with
the activation that follows each); the grader describes the models it loads
with the same functions, so both descriptions agree.
"""

from __future__ import annotations

import keras
import numpy as np

from autograder.kernel.training_run import LayerSummary

# Layers that only apply an activation, and the activation each one stands for.
_ACTIVATION_LAYERS = {
    keras.layers.LeakyReLU: "leaky_relu",
    keras.layers.ELU: "elu",
    keras.layers.PReLU: "prelu",
    keras.layers.Softmax: "softmax",
}


def activation_name(activation) -> str:
    """A canonical name for a Dense activation or an activation layer ('relu', 'leaky_relu', ...)."""
    if isinstance(activation, keras.layers.ReLU):
        return "leaky_relu" if float(activation.negative_slope) > 0 else "relu"
    if isinstance(activation, keras.layers.Activation):
        return activation_name(activation.activation)
    for layer_type, name in _ACTIVATION_LAYERS.items():
        if isinstance(activation, layer_type):
            return name
    return getattr(activation, "__name__", type(activation).__name__).lower()


def _is_activation_layer(layer) -> bool:
    return isinstance(layer, (keras.layers.Activation, keras.layers.ReLU, *_ACTIVATION_LAYERS))


def flat_layers(model) -> list:
    """The model's layers in order, with nested models opened up."""
    layers = []
    for layer in model.layers:
        layers.extend(flat_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return layers


def _kurtosis(values: np.ndarray) -> float:
    centered = values - values.mean()
    variance = float((centered**2).mean())
    return float((centered**4).mean() / variance**2) if variance > 0 else float("nan")


def summarize_dense_layers(model) -> tuple[LayerSummary, ...]:
    """The model's Dense layers, each with the activation that really follows it.

    A Dense layer with a linear activation followed (before the next Dense) by
    an activation layer, e.g. ``Dense(64)`` + ``BatchNormalization()`` +
    ``LeakyReLU()``, counts as using that layer's activation.
    """
    layers = flat_layers(model)
    summaries = []
    for position, layer in enumerate(layers):
        if not isinstance(layer, keras.layers.Dense) or not layer.built:
            continue
        activation = activation_name(layer.activation)
        if activation == "linear":
            for following in layers[position + 1:]:
                if isinstance(following, keras.layers.Dense):
                    break
                if _is_activation_layer(following):
                    activation = activation_name(following)
                    break
        kernel = np.asarray(layer.kernel.numpy(), dtype=np.float64)
        fan_in, fan_out = kernel.shape[0], kernel.shape[-1]
        summaries.append(LayerSummary(
            units=int(layer.units),
            activation=activation,
            kernel_size=int(kernel.size),
            kernel_all_zero=not kernel.any(),
            kernel_kurtosis=_kurtosis(kernel.ravel()),
            kernel_std=float(kernel.std()),
            glorot_limit=float(np.sqrt(6.0 / (fan_in + fan_out))),
        ))
    return tuple(summaries)



def layer_chain(model, sample) -> tuple[list, np.ndarray]:
    """The layers a forward pass of ``model`` on ``sample`` calls, outermost first and in call order, and its output.

    Models (a subclass's nested Sequential, say) are opened up: only the other
    layers they call count, and not the layers those layers call in turn. A
    model written as a ``keras.Model`` subclass that is a plain stack of Keras
    layers gives the same layers, in the order its ``call`` uses them, as the
    Sequential model that the grader can rebuild from them.
    """
    called, depth = [], [0]
    layer_class = keras.layers.Layer
    original = layer_class.__call__

    def traced(layer, *args, **kwargs):
        leaf = not isinstance(layer, keras.Model)
        if leaf and depth[0] == 0:
            called.append(layer)
        depth[0] += leaf
        try:
            return original(layer, *args, **kwargs)
        finally:
            depth[0] -= leaf

    layer_class.__call__ = traced
    try:
        output = model(sample, training=False)
    finally:
        layer_class.__call__ = original
    return called, np.asarray(keras.ops.convert_to_numpy(output))


def keras_layer_class(layer) -> str | None:
    """The layer's class name when it is one of ``keras.layers`` itself (not a subclass); None otherwise."""
    name = type(layer).__name__
    return name if getattr(keras.layers, name, None) is type(layer) else None
