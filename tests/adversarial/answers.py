"""Answers the attacks write in the solution cells: wrong normalizations, a real model, a final training."""

# Seed 000's mistake: the test set standardized with its own statistics.
WRONG_STANDARDIZATION = """
# ESCRIBE AQUÍ TU CÓDIGO
train_mean, train_std = X_train.mean(), X_train.std()
X_train_standardized = (X_train - train_mean) / train_std
X_valid_standardized = (X_valid - train_mean) / train_std
X_test_standardized = (X_test - X_test.mean()) / X_test.std()

print(f"Desviación típica del dataset de entreno {X_train_standardized.std():0.4f}")
"""

# Every normalization wrong: validation and test never get the training set's transformation.
ALL_WRONG = {
    "normalizacion_1": """
# ESCRIBE AQUÍ TU CÓDIGO
X_train_scaled = X_train / X_train.max()
X_valid_scaled = X_valid
X_test_scaled = X_test
""",
    "normalizacion_2": """
# ESCRIBE AQUÍ TU CÓDIGO
X_train_centered = X_train_scaled - X_train_scaled.mean()
X_valid_centered = X_valid_scaled - X_valid_scaled.mean()
X_test_centered = X_test_scaled - X_test_scaled.mean()
""",
    "normalizacion_3": WRONG_STANDARDIZATION,
}
WRONG_THIRD = {"normalizacion_3": WRONG_STANDARDIZATION}

BUILD_MODEL = """
def build_model(optimizer="adam"):
    '''Devuelve un modelo nuevo y compilado.'''
    # ESCRIBE AQUÍ TU CÓDIGO
    model = keras.Sequential([
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model
"""

REAL_TRAIN_MODEL = """

def train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer="adam", callbacks=None):
    '''Entrena un modelo nuevo y devuelve (modelo, history).'''
    # ESCRIBE AQUÍ TU CÓDIGO
    model = build_model(optimizer)
    history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0,
                        validation_data=(x_valid, y_valid), callbacks=callbacks)
    return model, history
"""

FINAL_WITH_EARLY_STOPPING = """
# ESCRIBE AQUÍ TU CÓDIGO
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_standardized, X_test_standardized
final_model, final_history = train_model(X_train_standardized, y_train, X_valid_final, y_valid,
                                         epochs=60, callbacks=[early_stopping])
"""
