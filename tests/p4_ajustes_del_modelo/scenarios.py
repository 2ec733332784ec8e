"""Scenario submissions of p4_ajustes_del_modelo (see ``tests/scenarios.py``).

Each mistake is the reference solution's cell with one change, as a student
would make it (most are named in the assignment's text); the honest
alternative is written from scratch with other names, the functional API and
other spellings of the same techniques.
"""

from functools import partial

from tests import scenarios
from tests.scenarios import Scenario, Table

ASSIGNMENT = "p4_ajustes_del_modelo"
ALL_TESTS = frozenset({
    "test_evaluacion", "test_autoevaluacion_1", "test_mejor_epoca", "test_reentrenamiento", "test_autoevaluacion_2",
    "test_l2", "test_l1", "test_descarte", "test_autoevaluacion_3", "test_tensorboard", "test_batchnorm",
    "test_autoevaluacion_4", "test_rejilla", "test_mejor_combinacion", "test_exactitud_final",
})
changed = partial(scenarios.changed, ASSIGNMENT)

ALTERNATIVE = {
    "ejercicio_1": """
from keras import layers


def red(capas_extra=(), regularizador=None, unidades=512):
    entradas = keras.Input(shape=(784,))
    x = entradas
    for _ in range(2):
        x = layers.Dense(unidades, activation="relu", kernel_regularizer=regularizador)(x)
        for capa in capas_extra:
            x = capa()(x)
    modelo = keras.Model(entradas, layers.Dense(10, activation="softmax")(x))
    modelo.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy", metrics=["accuracy"])
    return modelo


def ajusta(modelo, epocas=EPOCHS, **opciones):
    return modelo.fit(x=x_train, y=y_train, epochs=epocas, batch_size=BATCH_SIZE, validation_data=(x_val, y_val),
                      verbose=0, **opciones)


modelo_base = red()
historia_base = ajusta(modelo_base)
perdida, exactitud = modelo_base.evaluate(x_test, y_test, verbose=0)
evaluacion = {"train_accuracy": modelo_base.evaluate(x_train, y_train, verbose=0)[1], "test_loss": perdida,
              "test_accuracy": exactitud}
predicciones = modelo_base.predict(x_nuevos, verbose=0)
""",
    "ejercicio_2": """
dibuja_curvas({"base": historia_base})
perdidas_val = np.array(historia_base.history["val_loss"])
mejor_epoca = historia_base.epoch[perdidas_val.argmin()] + 1
modelo_optimo = red()
historia_optima = ajusta(modelo_optimo, epocas=mejor_epoca)
""",
    "ejercicio_3": """
modelo_l2 = red(regularizador=regularizers.L2(0.001))
historia_l2 = ajusta(modelo_l2)
modelo_l1 = red(regularizador=regularizers.L1L2(l1=0.001, l2=0.001))
historia_l1 = ajusta(modelo_l1)
""",
    "ejercicio_4": """
modelo_dropout = red(capas_extra=[lambda: layers.Dropout(0.3)])
historia_dropout = ajusta(modelo_dropout)
""",
    "ejercicio_5": """
import datetime

carpeta_tb = os.path.join(LOG_DIR, "fit", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
modelo_tb = red(capas_extra=[lambda: layers.Dropout(0.3)])
historia_tb = ajusta(modelo_tb, callbacks=[keras.callbacks.TensorBoard(log_dir=carpeta_tb, histogram_freq=1,
                                                                       write_graph=False)])
""",
    "ejercicio_6": """
modelo_batchnorm = red(capas_extra=[layers.BatchNormalization])
historia_batchnorm = ajusta(modelo_batchnorm)
""",
    "ejercicio_7": """
import itertools

HP_NEURONAS = hp.HParam("neuronas", hp.Discrete([256, 512]))
HP_TASA = hp.HParam("tasa", hp.Discrete([0.3, 0.5]))
resultados = []
for i, (neuronas, tasa) in enumerate(itertools.product(HP_NEURONAS.domain.values, HP_TASA.domain.values)):
    with tf.summary.create_file_writer(f"{HPARAMS_DIR}/run-{i}").as_default():
        hp.hparams({"neuronas": neuronas, "tasa": tasa})
        modelo = red(capas_extra=[lambda: layers.Dropout(tasa)], unidades=neuronas)
        historia = ajusta(modelo)
        tf.summary.scalar("val_accuracy", historia.history["val_accuracy"][-1], step=1)
        tf.summary.scalar("val_loss", historia.history["val_loss"][-1], step=1)
    resultados.append((historia.history["val_accuracy"][-1], {"neuronas": neuronas, "tasa": tasa}, modelo, historia))
_, mejor_combinacion, mejor_modelo, mejor_historia = max(resultados, key=lambda resultado: resultado[0])
test_mejor = mejor_modelo.evaluate(x_test, y_test, verbose=0)[1]
""",
    "ejercicio_8": """
modelo_final, historia_final = mejor_modelo, mejor_historia
""",
}

L2_ON_ONE_LAYER = """modelo_l2 = keras.Sequential([
    keras.Input(shape=(input_dim,)),
    keras.layers.Dense(512, activation="relu", kernel_regularizer=regularizers.l2(0.001)),
    keras.layers.Dense(512, activation="relu"),
    keras.layers.Dense(num_classes, activation="softmax"),
])
modelo_l2.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])"""

# Every network of the notebook written as a keras.Model subclass (the grader rebuilds it from the layers its call ran).
SUBCLASSED_NETWORK = changed("ejercicio_1", (
    '''def construir_red(regularizador=None, descarte=None, normalizacion=False, unidades=512):
    capas = [keras.Input(shape=(input_dim,))]
    for _ in range(2):
        capas.append(keras.layers.Dense(unidades, activation="relu", kernel_regularizer=regularizador))
        if normalizacion:
            capas.append(keras.layers.BatchNormalization())
        if descarte:
            capas.append(keras.layers.Dropout(descarte))
    capas.append(keras.layers.Dense(num_classes, activation="softmax"))
    modelo = keras.Sequential(capas)
    modelo.compile''', '''class Red(keras.Model):
    def __init__(self, regularizador=None, descarte=None, normalizacion=False, unidades=512):
        super().__init__()
        self.ocultas = [keras.layers.Dense(unidades, activation="relu", kernel_regularizer=regularizador)
                        for _ in range(2)]
        self.normas = [keras.layers.BatchNormalization() for _ in range(2)] if normalizacion else []
        self.descartes = [keras.layers.Dropout(descarte) for _ in range(2)] if descarte else []
        self.salida = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, x, training=False):
        for i, capa in enumerate(self.ocultas):
            x = capa(x)
            if self.normas:
                x = self.normas[i](x, training=training)
            if self.descartes:
                x = self.descartes[i](x, training=training)
        return self.salida(x)


def construir_red(regularizador=None, descarte=None, normalizacion=False, unidades=512):
    modelo = Red(regularizador, descarte, normalizacion, unidades)
    modelo.compile'''))

# A dropout variant whose call adds a layer's input to its output: no stack of layers, the grader cannot rebuild it.
RESIDUAL_DROPOUT = changed("ejercicio_4", ("modelo_dropout = construir_red(descarte=0.5)", '''class Residual(keras.Model):
    def __init__(self):
        super().__init__()
        self.primera = keras.layers.Dense(512, activation="relu")
        self.segunda = keras.layers.Dense(512, activation="relu")
        self.descarte = keras.layers.Dropout(0.5)
        self.salida = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, x, training=False):
        x = self.descarte(self.primera(x), training=training)
        return self.salida(self.descarte(x + self.segunda(x), training=training))


modelo_dropout = Residual()
modelo_dropout.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])'''))

# Every combination written with one writer in HPARAMS_DIR itself: chosen on validation, but no run per combination.
GRID_IN_ONE_RUN = changed("ejercicio_7", (
    '''        carpeta = os.path.join(HPARAMS_DIR, f"unidades={unidades},descarte={descarte}")
        with tf.summary.create_file_writer(carpeta).as_default():''',
    '''        with tf.summary.create_file_writer(HPARAMS_DIR).as_default():'''))

# The TensorFlow HParams tutorial's "accuracy": each combination's test accuracy logged beside its validation figures.
GRID_LOGS_TEST_ACCURACY = changed("ejercicio_7", (
    '''            tf.summary.scalar("val_accuracy", val_accuracy, step=1)''',
    '''            tf.summary.scalar("val_accuracy", val_accuracy, step=1)
            _, exactitud_test = modelo.evaluate(x_test, y_test, verbose=0)
            tf.summary.scalar("accuracy", exactitud_test, step=1)'''))

# The TensorFlow HParams tutorial's way: each combination scored, and chosen, on the test set.
GRID_SCORED_ON_TEST = changed("ejercicio_7", ("val_loss, val_accuracy = modelo.evaluate(x_val, y_val, verbose=0)",
                                              "val_loss, val_accuracy = modelo.evaluate(x_test, y_test, verbose=0)"))

# The four self-assessment answers as NumPy values, as computing them gives them (np.argmax(...) + 1 is an
# np.int64, a comparison of NumPy numbers an np.bool_), every exercise left as released: only the quiz runs.
QUIZ_TESTS = frozenset({"test_autoevaluacion_1", "test_autoevaluacion_2", "test_autoevaluacion_3",
                        "test_autoevaluacion_4"})
EXERCISES = frozenset(f"ejercicio_{n}" for n in range(1, 9))
NUMPY_ANSWERS = {
    "autoevaluacion_1": """votos = np.array([3, 1])  # [falso, verdadero]
respuesta_1 = votos[1] > votos[0]""",
    "autoevaluacion_2": "respuesta_2 = np.argmax([0.7, 0.2, 0.1]) + 1",
    "autoevaluacion_3": "respuesta_3 = np.bool_(False)",
    "autoevaluacion_4": """opciones = np.arange(1, 5, dtype=np.int32)
respuesta_4 = opciones[1]""",
}

SCENARIOS = {
    "solucion": Scenario(lost=frozenset()),
    "sin_cambios": Scenario(lost=ALL_TESTS, answered=False),
    "otra_solucion_correcta": Scenario(lost=frozenset(), patches=ALTERNATIVE),
    "evaluacion_con_validacion": Scenario(
        lost=frozenset({"test_evaluacion"}),
        says="en el conjunto de test",
        patches=changed("ejercicio_1", ("modelo_base.evaluate(x_test, y_test, verbose=0)",
                                        "modelo_base.evaluate(x_val, y_val, verbose=0)")),
    ),
    "epoca_de_entrenamiento": Scenario(
        lost=frozenset({"test_mejor_epoca"}),
        says="pérdida de validación de historia_base es mínima",
        patches=changed("ejercicio_2", ('np.argmin(historia_base.history["val_loss"])',
                                        'np.argmin(historia_base.history["loss"])')),
    ),
    "reentrenamiento_continuado": Scenario(
        lost=frozenset({"test_reentrenamiento"}),
        says="modelo nuevo",
        patches=changed("ejercicio_2", ("modelo_optimo = construir_red()", "modelo_optimo = modelo_base")),
    ),
    "l2_en_una_capa": Scenario(
        lost=frozenset({"test_l2"}),
        says="en cada capa Dense oculta",
        patches=changed("ejercicio_3", ("modelo_l2 = construir_red(regularizador=regularizers.l2(0.001))",
                                        L2_ON_ONE_LAYER)),
    ),
    "descarte_09": Scenario(
        lost=frozenset({"test_descarte"}),
        says="una tasa entre 0,2 y 0,5",
        patches=changed("ejercicio_4", ("construir_red(descarte=0.5)", "construir_red(descarte=0.9)")),
    ),
    # Nothing is written under LOG_DIR, so the visible check speaks first; the hidden one's sentence for a
    # log folder outside the notebook's is tested on its own in tests/test_checks_tensorboard_logs.py.
    "tensorboard_fuera": Scenario(
        lost=frozenset({"test_tensorboard"}),
        says="el callback TensorBoard debe escribir dentro de ella",
        patches=changed("ejercicio_5", ('log_dir=os.path.join(LOG_DIR, "descarte")',
                                        'log_dir=os.path.join(tempfile.gettempdir(), "registros")'),
                        before="import tempfile\n\n"),
    ),
    "mejor_en_test": Scenario(
        lost=frozenset({"test_rejilla", "test_mejor_combinacion"}),
        says="nunca con el test",
        patches=GRID_SCORED_ON_TEST,
    ),
    # The same mistake in a submission done in part (exercises 2 to 6 left as released): a third of the training,
    # for the CI subset.
    "mejor_en_test_sin_ejercicios_2_a_6": Scenario(
        lost=frozenset({"test_rejilla", "test_mejor_combinacion", "test_mejor_epoca", "test_reentrenamiento", "test_l2",
                        "test_l1", "test_descarte", "test_tensorboard", "test_batchnorm"}),
        says="nunca con el test",
        patches=GRID_SCORED_ON_TEST,
        unanswered=frozenset({"ejercicio_2", "ejercicio_3", "ejercicio_4", "ejercicio_5", "ejercicio_6"}),
    ),
    "modelos_como_subclase": Scenario(lost=frozenset(), patches=SUBCLASSED_NETWORK),
    "descarte_con_suma_residual": Scenario(
        lost=frozenset({"test_descarte"}),
        says="modelo_dropout no se puede rehacer fuera del cuaderno",
        patches=RESIDUAL_DROPOUT,
    ),
    "rejilla_en_una_ejecucion": Scenario(
        lost=frozenset({"test_rejilla"}),
        says="en una sola ejecución de HParams",
        patches=GRID_IN_ONE_RUN,
    ),
    "rejilla_con_exactitud_de_test": Scenario(
        lost=frozenset({"test_rejilla"}),
        says="el «Ojo» del ejercicio 7",
        patches=GRID_LOGS_TEST_ACCURACY,
    ),
    "evaluacion_cambiada": Scenario(
        lost=frozenset({"test_evaluacion"}),
        says="están cambiadas la pérdida y la exactitud",
        patches=changed("ejercicio_1", ('"test_loss": test_loss,\n              "test_accuracy": test_accuracy}',
                                        '"test_loss": test_accuracy,\n              "test_accuracy": test_loss}')),
    ),
    "l2_como_texto": Scenario(
        lost=frozenset({"test_l2"}),
        says='es lo que da kernel_regularizer="l2"',
        patches=changed("ejercicio_3", ("construir_red(regularizador=regularizers.l2(0.001))",
                                        'construir_red(regularizador="l2")')),
    ),
    "respuesta_incorrecta": Scenario(
        lost=frozenset({"test_autoevaluacion_2"}),
        says="La capacidad de computación no influye",
        patches={"autoevaluacion_2": "respuesta_2 = 2"},
    ),
    "bajo_umbral": Scenario(
        lost=frozenset({"test_exactitud_final"}),
        says="no llega al mínimo exigido",
        patches=changed("ejercicio_8", ("modelo_final, historia_final = mejor_modelo, mejor_historia",
                                        "modelo_final = construir_red(descarte=0.5)\n"
                                        "historia_final = entrenar(modelo_final, epochs=1)")),
    ),
    # Issue 24, an honest answer: a value equal to an option's number is that option, whatever its integer type.
    "respuestas_numpy_sin_ejercicios": Scenario(
        lost=ALL_TESTS - QUIZ_TESTS,
        unanswered=EXERCISES,
        patches=NUMPY_ANSWERS,
    ),
}

TABLE = Table(ASSIGNMENT, 13.0, SCENARIOS)
