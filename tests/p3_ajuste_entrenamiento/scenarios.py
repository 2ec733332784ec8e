"""Scenario submissions of p3_ajuste_entrenamiento (see ``tests/scenarios.py``).

Most mistakes are the reference solution's cell with one change, as a student
would make it; the honest alternative is written from scratch.
"""

from functools import partial

from tests import scenarios
from tests.scenarios import Scenario, Table

ASSIGNMENT = "p3_ajuste_entrenamiento"
ALL_TESTS = frozenset({
    "test_modelo_nuevo_lr", "test_espacio_lr", "test_entrenamiento_lr", "test_exactitud_lr",
    "test_entrenamiento_planificador", "test_espacio_planificador", "test_reduccion_lr", "test_exactitud_planificador",
    "test_modelo_final", "test_exactitud_final", "test_resultados",
})
changed = partial(scenarios.changed, ASSIGNMENT)


BUILT_INSIDE = """    def build(self, hp):
        model = keras.Sequential()
        model.add(keras.Input(shape=(input_dim,)))
        model.add(keras.layers.Dense(units=800, activation="relu"))
        model.add(keras.layers.Dense(num_classes, activation="softmax"))
"""
SHARED_NETWORK = """network = keras.Sequential([keras.Input(shape=(input_dim,)), keras.layers.Dense(800, activation="relu"),
                            keras.layers.Dense(num_classes, activation="softmax")])
"""


# The documented keras_tuner pattern for what a build function cannot tune: a
# tuner subclass whose run_trial draws the fit settings (RandomSearch, a plain
# build function, the functional API, keyword arguments to search).
ALTERNATIVE = {
    "busqueda_lr": """
def build_network(learning_rate):
    inputs = keras.Input(shape=(input_dim,))
    hidden = keras.layers.Dense(800, activation="relu")(inputs)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def build_lr(hp):
    return build_network(hp.Float("lr", 0.00006, 0.00026))


class BatchSizeSearch(keras_tuner.RandomSearch):
    def run_trial(self, trial, *args, **kwargs):
        kwargs["batch_size"] = trial.hyperparameters.Int("batch_size", 128, 256, step=2, sampling="log")
        return super().run_trial(trial, *args, **kwargs)


tuner_lr = BatchSizeSearch(build_lr, objective="val_accuracy", max_trials=TRIALS_LR, seed=7,
                           overwrite=True, directory=TUNER_DIR, project_name="lr")
tuner_lr.search(x=x_train, y=y_train, validation_data=(x_val, y_val), epochs=MAX_EPOCHS, verbose=0,
                callbacks=[keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=10, min_delta=1e-5)])
mejor_lr = tuner_lr.get_best_hyperparameters()[0]
modelo_val_lr = tuner_lr.get_best_models()[0].evaluate(x_test, y_test, verbose=0)[1]
print(mejor_lr.values, modelo_val_lr)
""",
    "busqueda_planificador": """
lr = float(f"{mejor_lr['lr']:.1e}")  # redondeado a dos cifras significativas
bs = mejor_lr["batch_size"]


class PlateauSearch(keras_tuner.RandomSearch):
    histories = {}

    def run_trial(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        patience = hp.Choice("patience", [2, 5, 10])
        factor = hp.Float("factor", 0.1, 0.5)
        kwargs["callbacks"] = [
            keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2 * patience, min_delta=1e-5),
            keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", factor=factor, patience=patience,
                                              min_lr=1e-6),
        ]
        self.histories[trial.trial_id] = super().run_trial(trial, *args, batch_size=bs, **kwargs)
        return self.histories[trial.trial_id]


tuner_planificador = PlateauSearch(lambda hp: build_network(lr), objective="val_accuracy",
                                   max_trials=TRIALS_PLANIFICADOR, seed=7, overwrite=True, directory=TUNER_DIR,
                                   project_name="planificador")
tuner_planificador.search(x=x_train, y=y_train, validation_data=(x_val, y_val), epochs=MAX_EPOCHS, verbose=0)
mejor = tuner_planificador.oracle.get_best_trials()[0]
modelo_val_planificador = tuner_planificador.load_model(mejor).evaluate(x_test, y_test, verbose=0)[1]
plt.plot(tuner_planificador.histories[mejor.trial_id][0].history["learning_rate"])
plt.show()
""",
    "modelo_final": """
final_model = tuner_planificador.get_best_models()[0]
final_model.compile(optimizer=keras.optimizers.Adam(lr), loss="categorical_crossentropy", metrics=["accuracy"])
final_history = final_model.fit(x_train_val, y_train_val, batch_size=bs, epochs=FINAL_EPOCHS, verbose=0)
test_final = final_model.evaluate(x_test, y_test, verbose=0)[1]
""",
}

# Exercise 1 searched learning rates of 0.001-0.01, and then its files were rewritten to show the asked space and
# values inside it, and reloaded: what the tuner reports is not what trained.
REWRITTEN_FILES = """
import glob
import json


def a_rango(valor):
    return 0.00006 + (valor - 0.001) / (0.01 - 0.001) * (0.00026 - 0.00006)


def reescribe(nodo):
    if isinstance(nodo, dict):
        if nodo.get("class_name") == "Float" and nodo["config"].get("name") == "lr":
            nodo["config"]["min_value"], nodo["config"]["max_value"] = 0.00006, 0.00026
        if isinstance(nodo.get("values"), dict) and "lr" in nodo["values"]:
            nodo["values"]["lr"] = a_rango(nodo["values"]["lr"])
        for valor in nodo.values():
            reescribe(valor)
    elif isinstance(nodo, list):
        for valor in nodo:
            reescribe(valor)


for fichero in glob.glob(f"{TUNER_DIR}/lr/oracle.json") + glob.glob(f"{TUNER_DIR}/lr/trial_*/trial.json"):
    with open(fichero) as f:
        contenido = json.load(f)
    reescribe(contenido)
    with open(fichero, "w") as f:
        json.dump(contenido, f)
tuner_lr.reload()
"""
# Exercise 2 searched factors of 0.5-0.9, and then put the asked space in its oracle.
SWAPPED_SPACE = """
espacio = keras_tuner.HyperParameters()
espacio.Float("factor", min_value=0.1, max_value=0.5)
espacio.Choice("patience", [2, 5, 10])
tuner_planificador.oracle.hyperparameters = espacio
"""
SEARCH_LR = "tuner_lr.search(x_train, y_train, (x_val, y_val), verbose=0)\n"
MISMATCH = "lo que informa el tuner no coincide con el entrenamiento que se ejecutó"
# Exercises 2 and 3 and the table left as released: exercise 1 alone trains, so that a case costs little. Their
# items are lost for want of an answer; the case is in what exercise 1's items score.
ONLY_EXERCISE_1 = frozenset({"busqueda_planificador", "modelo_final", "resultados"})
NOT_EXERCISE_1 = ALL_TESTS - {"test_modelo_nuevo_lr", "test_espacio_lr", "test_entrenamiento_lr", "test_exactitud_lr"}

# Exercise 1 searched the asked space, and then its best trial's score was raised in memory (the Trial object the
# oracle holds): the tuner, results_summary and get_best_trials report 0.95, which no epoch reached.
RAISED_SCORE = """
mejor_trial = tuner_lr.oracle.get_best_trials(num_trials=1)[0]
mejor_trial.score = 0.95  # para que el resumen muestre la exactitud que se esperaba
"""
# Exercise 1 searched learning rates ten times the asked ones (0.0006-0.0026, a zero too few), and instead of
# searching again replaced get_best_hyperparameters on the instance: it reports the best rate divided by ten,
# inside the asked interval, which no trial trained with.
TEN_TIMES_RATES = ('hp.Float("lr", min_value=0.00006, max_value=0.00026)', 'hp.Float("lr", min_value=0.0006, max_value=0.0026)')
BEST_VALUES_REPLACED = """
mejores_valores = tuner_lr.get_best_hyperparameters(num_trials=1)[0].copy()
mejores_valores.values["lr"] = mejores_valores["lr"] / 10  # a la escala del enunciado
tuner_lr.get_best_hyperparameters = lambda num_trials=1: [mejores_valores] * num_trials
"""
# Every trial's build(hp) returns a new Sequential, but loads the weights a ModelCheckpoint saved as the previous
# trial trained ("para no empezar de cero"): trial 1 starts from trial 0's trained weights.
CHECKPOINT = """PESOS = os.path.join(TUNER_DIR, "calentamiento.weights.h5")
if os.path.exists(PESOS):
    os.remove(PESOS)


"""
WARM_START = changed(
    "busqueda_lr",
    ("""        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
        return model""", """        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
        if os.path.exists(PESOS):  # sigue desde el trial anterior para no empezar de cero
            model.load_weights(PESOS)
        return model"""),
    ('kwargs["callbacks"].append(early_cb)',
     'kwargs["callbacks"] += [early_cb, keras.callbacks.ModelCheckpoint(PESOS, save_weights_only=True)]'),
    before=CHECKPOINT,
)
SEARCH_PLATEAU = "tuner_planificador.search(x_train, y_train, (x_val, y_val), verbose=0)\n"
BAYESIAN_LR = """tuner_lr = keras_tuner.BayesianOptimization(
    LrBatchHyperModel(), objective="val_accuracy", max_trials=TRIALS_LR,"""

SCENARIOS = {
    "solucion": Scenario(lost=frozenset()),
    "sin_cambios": Scenario(lost=ALL_TESTS, answered=False),
    "otra_solucion_correcta": Scenario(lost=frozenset(), patches=ALTERNATIVE),
    # The seed's own mistake: the final training validates on the test set.
    "validacion_con_test": Scenario(
        lost=frozenset({"test_modelo_final"}),
        says="el test no debe guiar el entrenamiento",
        patches=changed("modelo_final", ("epochs=FINAL_EPOCHS, verbose=0)",
                                         "epochs=FINAL_EPOCHS, validation_data=(x_test, y_test), verbose=0)")),
    ),
    # One network built outside build(hp), recompiled and returned for every trial.
    "modelo_compartido": Scenario(
        lost=frozenset({"test_modelo_nuevo_lr"}),
        says="El trial 1 de tuner_lr empieza con los pesos que el trial 0 ya había entrenado",
        patches=changed("busqueda_lr", (BUILT_INSIDE, "    def build(self, hp):\n        model = network\n"),
                        before=SHARED_NETWORK),
    ),
    "batch_sin_muestreo_log": Scenario(
        lost=frozenset({"test_espacio_lr"}),
        says="'batch_size' de tuner_lr puede tomar los valores 130; 132; 134; 136; 138 y 58 más, que el enunciado no pide",
        patches=changed("busqueda_lr", ('hp.Int("batch_size", 128, 256, step=2, sampling="log")',
                                        'hp.Int("batch_size", 128, 256, step=2)')),
    ),
    "batch_size_ignorado": Scenario(
        lost=frozenset({"test_entrenamiento_lr"}),
        says="no entrena con el batch_size que ha elegido el tuner",
        patches=changed("busqueda_lr", ("batch_size=bs, epochs=MAX_EPOCHS", "batch_size=128, epochs=MAX_EPOCHS")),
    ),
    "paciencia_fija": Scenario(
        lost=frozenset({"test_entrenamiento_planificador"}),
        says="debe ser el doble de la del planificador",
        patches=changed("busqueda_planificador", ("patience=2 * patience, min_delta=1e-5", "patience=10, min_delta=1e-5")),
    ),
    "planificador_con_loss": Scenario(
        lost=frozenset({"test_entrenamiento_planificador"}),
        says="debe vigilar 'val_accuracy'",
        patches=changed("busqueda_planificador", ('monitor="val_accuracy", factor=factor', 'monitor="loss", factor=factor')),
    ),
    "bajo_umbral": Scenario(
        lost=frozenset({"test_exactitud_final"}),
        says="no llega al mínimo exigido",
        patches=changed("modelo_final",
                        ("final_model = tuner_planificador.get_best_models(num_models=1)[0]",
                         "final_model = tuner_planificador.hypermodel.build(keras_tuner.HyperParameters())"),
                        ("epochs=FINAL_EPOCHS, verbose=0)", "epochs=1, verbose=0)")),
    ),
    # Issue 24: what the tuner reports is compared with the training that ran.
    "espacio_reescrito": Scenario(
        lost=frozenset({"test_espacio_lr", "test_entrenamiento_lr", "test_entrenamiento_planificador",
                        "test_modelo_final"}),
        says="lo que informa el tuner no coincide con el entrenamiento que se ejecutó",
        patches=changed("busqueda_lr",
                        ('hp.Float("lr", min_value=0.00006, max_value=0.00026)',
                         'hp.Float("lr", min_value=0.001, max_value=0.01)'),
                        (SEARCH_LR, SEARCH_LR + REWRITTEN_FILES)),
    ),
    # The same, exercises 2 and 3 and the table left as released: a cheap one for CI (exercise 1 alone runs).
    "espacio_reescrito_solo_ejercicio_1": Scenario(
        lost=ALL_TESTS - {"test_modelo_nuevo_lr", "test_exactitud_lr"},
        says="lo que informa el tuner no coincide con el entrenamiento que se ejecutó",
        unanswered=frozenset({"busqueda_planificador", "modelo_final", "resultados"}),
        patches=changed("busqueda_lr",
                        ('hp.Float("lr", min_value=0.00006, max_value=0.00026)',
                         'hp.Float("lr", min_value=0.001, max_value=0.01)'),
                        (SEARCH_LR, SEARCH_LR + REWRITTEN_FILES)),
    ),
    "planificador_espacio_cambiado": Scenario(
        lost=frozenset({"test_espacio_planificador"}),
        says="El espacio de búsqueda que informa tuner_planificador (oracle.hyperparameters) no es el que declararon",
        patches=changed("busqueda_planificador",
                        ('hp.Float("factor", min_value=0.1, max_value=0.5)', 'hp.Float("factor", min_value=0.5, max_value=0.9)'),
                        (SEARCH_PLATEAU, SEARCH_PLATEAU + SWAPPED_SPACE)),
    ),
    # Hyperband's later rounds load an earlier trial's checkpoint and continue it (initial_epoch > 0).
    "hyperband": Scenario(
        lost=frozenset({"test_modelo_nuevo_lr"}),
        says="ya había entrenado y sigue desde la época",
        patches=changed("busqueda_lr",
                        ("batch_size=bs, epochs=MAX_EPOCHS, validation_data=xy_val", "batch_size=bs, validation_data=xy_val"),
                        (BAYESIAN_LR, """tuner_lr = keras_tuner.Hyperband(
    LrBatchHyperModel(), objective="val_accuracy", max_epochs=MAX_EPOCHS, factor=3, hyperband_iterations=1,""")),
    ),
    "busqueda_entrena_con_val": Scenario(
        lost=frozenset({"test_entrenamiento_lr"}),
        says="entrena con x_val",
        patches=changed("busqueda_lr", (SEARCH_LR, "tuner_lr.search(x_train_val, y_train_val, (x_val, y_val), verbose=0)\n")),
    ),
    # Honest answers: two executions per trial (the score is their mean), the batch size as a choice of its two values.
    "dos_ejecuciones_por_trial": Scenario(
        lost=frozenset(),
        patches=changed("busqueda_lr", (BAYESIAN_LR, BAYESIAN_LR + " executions_per_trial=2,")),
    ),
    "batch_con_choice": Scenario(
        lost=frozenset(),
        patches=changed("busqueda_lr", ('hp.Int("batch_size", 128, 256, step=2, sampling="log")',
                                        'hp.Choice("batch_size", [128, 256])')),
    ),
    # Issue 24, more cases (each with exercise 1 alone answered). What the tuner reports changed in memory after
    # the search: a trial's score, and get_best_hyperparameters replaced on the instance.
    "puntuacion_cambiada_solo_ejercicio_1": Scenario(
        lost=NOT_EXERCISE_1 | {"test_entrenamiento_lr"},
        says="una puntuación (0,95) que no es la val_accuracy que registraron sus entrenamientos: " + MISMATCH,
        unanswered=ONLY_EXERCISE_1,
        patches=changed("busqueda_lr", (SEARCH_LR, SEARCH_LR + RAISED_SCORE)),
    ),
    "mejores_valores_sustituidos_solo_ejercicio_1": Scenario(
        lost=NOT_EXERCISE_1 | {"test_espacio_lr", "test_entrenamiento_lr"},
        says=("'lr' de tuner_lr se elige entre 0,0006 y 0,0026, y el enunciado pide el intervalo de 0,00006 a 0,00026",
              "tuner_lr.get_best_hyperparameters() da lr = 0,000", ": " + MISMATCH),
        unanswered=ONLY_EXERCISE_1,
        patches=changed("busqueda_lr", TEN_TIMES_RATES, (SEARCH_LR, SEARCH_LR + BEST_VALUES_REPLACED)),
    ),
    # A new model object in every trial, with the weights a checkpoint kept of the previous trial.
    "pesos_del_trial_anterior_solo_ejercicio_1": Scenario(
        lost=NOT_EXERCISE_1 | {"test_modelo_nuevo_lr"},
        says="El trial 1 de tuner_lr empieza con los pesos que el trial 0 ya había entrenado: cada trial debe",
        unanswered=ONLY_EXERCISE_1,
        patches=WARM_START,
    ),
    # Honest: the batch size as a choice of the asked values in the other order, three executions per trial.
    "choice_al_reves_tres_ejecuciones_solo_ejercicio_1": Scenario(
        lost=NOT_EXERCISE_1,
        unanswered=ONLY_EXERCISE_1,
        patches=changed("busqueda_lr", ('hp.Int("batch_size", 128, 256, step=2, sampling="log")',
                                        'hp.Choice("batch_size", [256, 128])'),
                        (BAYESIAN_LR, BAYESIAN_LR + " executions_per_trial=3,")),
    ),
}

TABLE = Table(ASSIGNMENT, 10.0, SCENARIOS)
