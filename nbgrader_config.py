# Configuración de nbgrader del curso. La usan tanto `nbgrader ...` (formgrader)
# como `autograder ...`, que la carga desde la raíz del curso.
import os

from autograder.pipeline.steps import declare_steps

c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "curso-dl"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Gradebook: SQLite in the course root unless a URL is given (PostgreSQL works too).
if os.environ.get("AUTOGRADER_DB_URL"):
    c.CourseDirectory.db_url = os.environ["AUTOGRADER_DB_URL"]

# nbgrader's exchange, where the course server (`autograder servidor`) releases the assignments
# and students submit and fetch their feedback. Students' servers read its parent folder too.
c.Exchange.root = "/srv/curso-dl/intercambio"

# --- Corrección al entregar (servidor del curso, `autograder servidor`) ----------
# Entregas corregidas al entregar por alumno, práctica y día: las demás se guardan sin corregir
# en el momento (así las comprobaciones ocultas no se pueden sondear a fuerza de entregas).
c.SubmissionPolicy.daily_limit = 3
# True: la página dice por qué falla cada comprobación; False: solo los puntos de cada apartado.
c.SubmissionPolicy.sentences = True
c.SubmissionPolicy.timezone = "Europe/Madrid"  # cuándo empieza un día; cómo se escriben las fechas
c.SubmissionPolicy.time_limit = 900  # segundos por entrega al entregar (un cuaderno colgado no retiene más un trabajador)
# La fecha límite es la de nbgrader, una por práctica en el gradebook (se pone con
#   nbgrader db assignment add p1_normalizacion --duedate="2027-01-15 23:59:00 Europe/Madrid"
# o en el formgrader): las entregas posteriores quedan marcadas con su retraso.

# What students see in place of the solutions.
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError()"}
c.ClearSolutions.text_stub = "ESCRIBE AQUÍ TU RESPUESTA"

# Training cells need minutes, not nbgrader's default 30 s. A cell past the
# limit is interrupted and loses its points; the rest of the notebook runs on.
# A whole submission gets at most `submission_timeout` seconds: past it, every
# remaining cell is interrupted at once.
c.Execute.timeout = 1200
c.Execute.startup_timeout = 120

# Every step of release, autograde and feedback is declared in autograder/pipeline/steps.py:
# the hidden test cells only hand evidence over, the verdicts are computed after the run
# in a process the student's code never touched, and the feedback is the Spanish page
# without hidden tests. Below, only the course's settings of those steps.
declare_steps(c)
c.ExecuteWithDeadline.submission_timeout = 3600

# TensorFlow and Keras write warnings to stderr, and nbgrader gives 0 to a test
# cell with any stderr output. These patterns drop only such warnings.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?i)(warning|absl::|cpu_feature_guard|tensorflow|oneDNN|cuda|"
    r"rebuild TensorFlow|^[IWE]\d{4} )"
)

# --- Sandbox of the student's kernel (autograder/sandbox/) ---------------------
# Every kernel the kit starts runs isolated where the operating system allows it:
# no network, bounded memory, processes and file sizes, and no access to the
# hidden checks, the gradebook, the sources or other students' work. The log
# says which protections were in force and which the OS refused.
c.Sandbox.enabled = True
c.Sandbox.memory_mb = 8192  # each process (virtual) and all together (resident); None with a GPU
c.Sandbox.max_processes = 512  # processes and threads
c.Sandbox.max_file_mb = 1024
c.Sandbox.network = False
c.Sandbox.cpu_cgroup = True  # one CPU weight for all the kernel's processes
# Threads each kernel computes with, whatever the number of workers: TensorFlow sums
# in another order with another thread count, and a regrade must give the same numbers.
c.Sandbox.cpu_threads = 1
# Output kept per cell; past it a note, and a print flood is dropped as it arrives.
c.ExecuteWithDeadline.max_cell_output = 1_000_000  # characters
# --- end of the sandbox block ---------------------------------------------------

# --- Grading through Slurm (`autograder corregir <práctica> --slurm N`) ---------
# N jobs, each one single-threaded Dask worker running this course's .venv; cancelled
# when grading ends. Options left unset use Slurm's defaults (see README).
# c.Slurm.partition = "docencia"  # #SBATCH -p
# c.Slurm.account = "curso-dl"  # #SBATCH -A
c.Slurm.memory = "4GB"  # #SBATCH --mem of each job
c.Slurm.walltime = "04:00:00"  # #SBATCH -t: each worker grades one submission after another
# c.Slurm.job_extra_directives = ["--qos=docencia"]
# c.Slurm.job_script_prologue = ["module load cuda/12"]
# c.Slurm.interface = "ib0"  # the network the jobs reach the grader's Dask scheduler through

# --- Grading on NVIDIA GPUs (untested on a real GPU: see README) ----------------
# Each worker declares one GPU and each submission asks for one; the student's kernel sees
# its worker's GPU alone. Needs TensorFlow's CUDA build and c.Sandbox.memory_mb = None.
c.Gpu.enabled = False
# c.Gpu.devices = ["0", "1"]  # on this machine: the GPUs to grade on, one worker each
# c.Gpu.slurm_gres = "gpu:1"  # with --slurm: #SBATCH --gres of each job
