"""Scenario submissions of p2_aspectos_practicos (see ``tests/scenarios.py``)."""

from tests.scenarios import Scenario, Table

ALL_TESTS = frozenset({
    "test_activaciones", "test_inicializacion", "test_optimizadores", "test_modelo_nuevo", "test_validacion",
    "test_regularizacion", "test_exactitud_validacion", "test_exactitud_test",
})
FINAL_CHECKS = frozenset({"test_regularizacion", "test_exactitud_validacion", "test_exactitud_test"})


def loop(dict_name: str, keys: list[str], build: str, fit: str = "validation_split=0.2") -> str:
    """A comparison loop as a student writes it: one new model and one fit per variant."""
    return f"""
{dict_name} = {{}}
for variant in {keys!r}:
    model = build_model({build})
    {dict_name}[variant] = model.fit(x_train, y_train, {fit}, epochs=EPOCHS, batch_size=64, verbose=0)
"""


def comparison_loops(fit: str) -> dict[str, str]:
    return {
        "activaciones": loop("histories_activation", ["sigmoid", "relu", "selu", "leaky_relu"],
                             "name=variant, activation=variant", fit),
        "inicializacion": loop("histories_init", ["zeros", "random_normal", "glorot_uniform"],
                               "name=variant, initializer=variant", fit),
        "optimizadores": loop("histories_optimizer", ["sgd", "rmsprop", "adagrad", "adam"],
                              "name=variant, optimizer=variant", fit),
    }


def builder(hidden: str, output: str) -> str:
    """A build_model with the task's network, its Dense layers given the arguments ``hidden`` and ``output``."""
    return f"""
def build_model(name="modelo", activation="relu", initializer="glorot_uniform", optimizer="sgd"):
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten()], name=name)
    for units in (256, 128, 64):
        model.add(keras.layers.Dense(units, {hidden}))
    model.add(keras.layers.Dense(10, activation="softmax"{output}))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model
"""


def final_net(layers: str, fit: str = "validation_split=0.2", optimizer: str = 'keras.optimizers.Adam(learning_rate=1e-3)',
              callbacks: str = '[keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=10, restore_best_weights=True)]',
              epochs: str = "MAX_EPOCHS") -> str:
    return f"""
final_model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), {layers}
                                keras.layers.Dense(10, activation="softmax")], name="final")
final_model.compile(loss="sparse_categorical_crossentropy", optimizer={optimizer}, metrics=["accuracy"])
final_history = final_model.fit(x_train, y_train, {fit}, epochs={epochs}, batch_size=128,
                                callbacks={callbacks}, verbose=0)
"""


DROPOUT_LAYERS = 'keras.layers.Dense(512, activation="relu"), keras.layers.Dropout(0.3),'

SCENARIOS = {
    "solucion": Scenario(lost=frozenset()),
    "sin_cambios": Scenario(lost=ALL_TESTS, answered=False),
    # Another correct way to do everything: seed-style Keras code that Keras 3
    # still runs, scikit-learn's split, one-hot labels, flattened images,
    # activation layers, initializer and optimizer objects, L2 + batch normalization
    # + early stopping.
    "otra_solucion_correcta": Scenario(
        lost=frozenset(),
        patches={
            "modelo": """
from sklearn.model_selection import train_test_split

x_flat = x_train.reshape(-1, 784).astype("float32")
x_tr, x_val, y_tr, y_val = train_test_split(x_flat, keras.utils.to_categorical(y_train, 10),
                                            test_size=0.2, random_state=1, stratify=y_train)


def build_model(name="modelo", activation="relu", initializer="glorot_uniform", optimizer="sgd"):
    model = keras.Sequential(name=name)
    model.add(keras.layers.Dense(200, input_shape=(784,), kernel_initializer=initializer))
    model.add(keras.layers.Activation(activation) if activation != "leaky_relu" else keras.layers.LeakyReLU(negative_slope=0.2))
    for units in (100, 50):
        model.add(keras.layers.Dense(units, kernel_initializer=initializer))
        model.add(keras.layers.Activation(activation) if activation != "leaky_relu" else keras.layers.LeakyReLU(negative_slope=0.2))
    model.add(keras.layers.Dense(10, activation="softmax", kernel_initializer=initializer))
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def train(model):
    return model.fit(x_tr, y_tr, validation_data=(x_val, y_val), epochs=EPOCHS, batch_size=64, verbose=0)
""",
            "activaciones": """
histories_activation = {name: train(build_model(name, activation=name)) for name in ["sigmoid", "relu", "selu", "leaky_relu"]}
""",
            "inicializacion": """
initializers = {"zeros": keras.initializers.Zeros(), "random_normal": keras.initializers.RandomNormal(stddev=0.1),
                "glorot_uniform": keras.initializers.GlorotUniform()}
histories_init = {name: train(build_model(name, initializer=init)) for name, init in initializers.items()}
""",
            "optimizadores": """
optimizers = {"sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop,
              "adagrad": keras.optimizers.Adagrad, "adam": keras.optimizers.Adam}
histories_optimizer = {name: train(build_model(name, optimizer=opt())) for name, opt in optimizers.items()}
""",
            "modelo_final": """
l2 = keras.regularizers.l2(1e-4)
final_model = keras.Sequential([
    keras.Input(shape=(784,)),
    keras.layers.Dense(256, kernel_regularizer=l2), keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
    keras.layers.Dense(128, kernel_regularizer=l2), keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
    keras.layers.Dense(10, activation="softmax"),
])
final_model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
final_history = final_model.fit(x_tr, y_tr, validation_data=(x_val, y_val), epochs=MAX_EPOCHS, batch_size=128, verbose=0,
                                callbacks=[keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5,
                                                                         restore_best_weights=True)])
""",
            "evaluacion_test": """
test_loss, test_accuracy = final_model.evaluate(x_test.reshape(-1, 784), keras.utils.to_categorical(y_test, 10), verbose=0)
""",
        },
    ),
    # Seed 001's "error común": one model, compiled again and fit again for every optimizer.
    "modelo_reutilizado": Scenario(
        lost=frozenset({"test_modelo_nuevo"}),
        says="'sgd' y 'rmsprop' usan el mismo modelo",
        patches={"optimizadores": """
histories_optimizer = {}
model = build_model(name="optimizadores")
for optimizer in ["sgd", "rmsprop", "adagrad", "adam"]:
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    histories_optimizer[optimizer] = model.fit(x_train, y_train, validation_split=0.2, epochs=EPOCHS,
                                               batch_size=64, verbose=0)
"""},
    ),
    "inicializador_ignorado": Scenario(
        lost=frozenset({"test_inicializacion"}),
        says="no empiezan con ceros",
        patches={"modelo": builder(hidden="activation=activation", output="")},
    ),
    "activacion_ignorada": Scenario(
        lost=frozenset({"test_activaciones"}),
        says="hay capas ocultas con la activación 'relu' en lugar de 'sigmoid'",
        patches={"modelo": builder(hidden='activation="relu", kernel_initializer=initializer',
                                   output=", kernel_initializer=initializer")},
    ),
    "validacion_del_10_por_ciento": Scenario(
        lost=frozenset({"test_validacion"}),
        says="valida con el 10 % de x_train",
        patches=comparison_loops("validation_split=0.1"),
    ),
    "validacion_con_test": Scenario(
        lost=frozenset({"test_validacion", "test_exactitud_validacion"}),
        says="usa imágenes de test",
        patches=comparison_loops("validation_data=(x_test, y_test)")
        | {"modelo_final": final_net(DROPOUT_LAYERS, fit="validation_data=(x_test, y_test)")},
    ),
    "sin_regularizacion": Scenario(
        lost=frozenset({"test_regularizacion"}),
        says="no usa ninguna técnica de regularización",
        patches={"modelo_final": final_net('keras.layers.Dense(512, activation="relu"), '
                                           'keras.layers.Dense(256, activation="relu"),',
                                              callbacks="None", epochs="12")},
    ),
    "bajo_umbral": Scenario(
        lost=frozenset({"test_exactitud_validacion", "test_exactitud_test"}),
        says="no llega al mínimo exigido",
        patches={"modelo_final": final_net(DROPOUT_LAYERS, optimizer="keras.optimizers.SGD(learning_rate=1e-4)",
                                           epochs="1")},
    ),
    # Submissions done in part: what each answered is graded (and cheap to grade, for the regrade tests).
    "solo_ejercicio_1": Scenario(
        lost=ALL_TESTS - {"test_activaciones"},  # test_modelo_nuevo checks the runs of exercises 1 to 3
        unanswered=frozenset({"inicializacion", "optimizadores", "modelo_final", "evaluacion_test"}),
    ),
    "solo_ejercicios_1_y_2": Scenario(
        lost=ALL_TESTS - {"test_activaciones", "test_inicializacion"},
        unanswered=frozenset({"optimizadores", "modelo_final", "evaluacion_test"}),
    ),
    # Keras 2 code from the course's old material: `acc` history keys and `lr=`.
    "codigo_keras_2": Scenario(
        lost=FINAL_CHECKS,
        patches={
            "activaciones": comparison_loops("validation_split=0.2")["activaciones"]
            + 'plt.plot(histories_activation["relu"].history["acc"])\n',
            "modelo_final": final_net(DROPOUT_LAYERS, optimizer="keras.optimizers.Adam(lr=0.001)"),
        },
    ),
}

TABLE = Table("p2_aspectos_practicos", 5.0, SCENARIOS)
