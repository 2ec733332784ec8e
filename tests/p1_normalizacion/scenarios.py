"""Scenario submissions of p1_normalizacion (see ``tests/scenarios.py``).

Single wrong settings that the check modules' unit tests already cover (an
unscaled copy, another ReduceLROnPlateau patience) have no scenario of their
own: each scenario costs a graded notebook in the suite's time budget.
"""

from tests.scenarios import Scenario, Table

FINAL_WITH_SCALED_DATA = """
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_scaled, X_test_scaled
final_model, final_history = train_model(X_train_scaled, y_train, X_valid_final, y_valid,
                                         epochs=60, callbacks=[reduce_lr, early_stopping])
"""

ALL_TESTS = frozenset({
    "test_normalizacion_1", "test_normalizacion_2", "test_normalizacion_3", "test_modelo_nuevo",
    "test_reduce_lr_configuracion", "test_reduce_lr_comportamiento", "test_early_stopping",
    "test_exactitud_validacion", "test_exactitud_test",
})

SCENARIOS = {
    "solucion": Scenario(lost=frozenset()),
    "sin_cambios": Scenario(lost=ALL_TESTS, answered=False),
    "cuaderno_roto": Scenario(lost=ALL_TESTS, truncated=True, says="no es un JSON válido"),
    # Done in part: the three normalizations and the written answers, no network (cheap to grade again).
    "solo_normalizacion": Scenario(
        lost=ALL_TESTS - {"test_normalizacion_1", "test_normalizacion_2", "test_normalizacion_3"},
        unanswered=frozenset({"modelo", "reduce_lr", "modelo_final"}),
    ),
    # Seed 000's mistake: the test set standardized with its own statistics.
    "estadisticas_de_test": Scenario(
        lost=frozenset({"test_normalizacion_3", "test_exactitud_test"}),
        says="X_test_standardized no recibe la misma transformación",
        patches={"normalizacion_3": """
train_mean, train_std = X_train.mean(), X_train.std()
X_train_standardized = (X_train - train_mean) / train_std
X_valid_standardized = (X_valid - train_mean) / train_std
X_test_standardized = (X_test - X_test.mean()) / X_test.std()
"""},
    ),
    "solo_centrado": Scenario(
        lost=frozenset({"test_normalizacion_3"}),
        patches={
            "normalizacion_3": """
train_mean = X_train.mean()
X_train_standardized = X_train - train_mean
X_valid_standardized = X_valid - train_mean
X_test_standardized = X_test - train_mean
""",
            "modelo_final": FINAL_WITH_SCALED_DATA,
        },
    ),
    # The common Keras error: one model, fit again and again.
    "modelo_reutilizado": Scenario(
        lost=frozenset({"test_modelo_nuevo"}),
        patches={"modelo": """
def build_model(optimizer="adam"):
    model = keras.Sequential([
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


model = build_model()


def train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer="adam", callbacks=None):
    history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0,
                        validation_data=(x_valid, y_valid), callbacks=callbacks)
    return model, history
"""},
    ),
    "reduce_lr_factor_incorrecto": Scenario(
        lost=frozenset({"test_reduce_lr_configuracion", "test_reduce_lr_comportamiento"}),
        patches={"reduce_lr": 'reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=2)'},
    ),
    # No ReduceLROnPlateau and no EarlyStopping: a fixed number of epochs.
    "sin_callbacks": Scenario(
        lost=frozenset({"test_reduce_lr_configuracion", "test_reduce_lr_comportamiento", "test_early_stopping"}),
        patches={
            "reduce_lr": "reduce_lr = keras.callbacks.Callback()",
            "modelo_final": """
early_stopping = None
X_valid_final, X_test_final = X_valid_scaled, X_test_scaled
final_model, final_history = train_model(X_train_scaled, y_train, X_valid_final, y_valid, epochs=10)
""",
        },
    ),
    # The final model trained with EarlyStopping alone: task 4.1 asks for both callbacks.
    "final_sin_reduce_lr": Scenario(
        lost=frozenset({"test_early_stopping"}),
        says="final_model no se entrenó con reduce_lr",
        patches={"modelo_final": """
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_standardized, X_test_standardized
final_model, final_history = train_model(X_train_standardized, y_train, X_valid_final, y_valid,
                                         epochs=60, callbacks=[early_stopping])
"""},
    ),
    "bajo_umbral": Scenario(
        lost=frozenset({"test_exactitud_validacion", "test_exactitud_test"}),
        patches={"modelo_final": """
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_standardized, X_test_standardized
final_model, final_history = train_model(X_train_standardized, y_train, X_valid_final, y_valid, epochs=1,
                                         optimizer=keras.optimizers.SGD(learning_rate=1e-4),
                                         callbacks=[reduce_lr, early_stopping])
"""},
    ),
    # Locked cells are restored from the gradebook: editing them changes nothing.
    "celda_bloqueada_editada": Scenario(
        lost=frozenset(),
        patches={
            "configuracion": "import numpy as np\nimport keras\nraise RuntimeError('he borrado la configuración')",
            "preparacion": "X_train = X_valid = X_test = None",
        },
    ),
    "celda_con_error": Scenario(
        lost=frozenset({"test_normalizacion_2", "test_modelo_nuevo"}),
        patches={"normalizacion_2": """
train_mean = X_train_scaled.means()
X_train_centered = X_train_scaled - train_mean
X_valid_centered = X_valid_scaled - train_mean
X_test_centered = X_test_scaled - train_mean
"""},
    ),
}

TABLE = Table("p1_normalizacion", 4.5, SCENARIOS)
