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

