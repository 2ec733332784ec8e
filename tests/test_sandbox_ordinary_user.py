"""The grading path when the instructor is an ordinary user, not root: an account created here runs it.

On this machine (cgroup v1, nothing delegated) an ordinary user gets the
namespaces (through a user namespace), Landlock and the resource limits, and no
cgroups; tests/test_sandbox_cgroup2_vm.py checks a delegated cgroup-v2 subtree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.pipeline.server.start import environment_closed_folders
from tests.conftest import ROOT
from tests.ordinary_account import ordinary_account, passable
from tests.sandbox_checks import LIMITS, MARK
from tests.sandbox_kernels import NAMESPACES, require

ACCOUNT = "autograder-prueba"

# Run as the account: a notebook executed as the grader executes it, with the course's configuration.
GRADE = """
import json, sys
from pathlib import Path
from autograder.pipeline.course import load_config
from autograder.sandbox import provisioner
from tests.sandbox_kernels import errors, printed, run

provisioner._fetch_course_data = lambda: None  # the course data are not what this checks (and need a download)
config = load_config(Path.cwd())
config.NotebookClient.extra_arguments = []  # the kernel extensions import keras: slow
course = Path(sys.argv[1])
notebook = run(config, course,
               "import os\\nprint(open('/proc/self/uid_map').read().split()[1], os.readlink('/proc/self/ns/pid'))",
               "import socket\\nsocket.create_connection(('1.1.1.1', 80), timeout=5)",
               f"open({str(course / 'gradebook.db')!r}, 'a')", "open('salida.txt', 'w').write('x')\\nprint('escrito')")
print(json.dumps([[printed(cell), errors(cell)] for cell in notebook.cells]))
"""


@pytest.fixture(scope="module")
def account():
    if os.geteuid() != 0:
        pytest.skip("crear una cuenta de usuario necesita ser root")
    with ordinary_account(ACCOUNT) as name, passable(environment_closed_folders()):
        yield name


@pytest.fixture
def scratch(account):
    """A folder of the account's own, outside pytest's (which only root may enter)."""
    folder = Path(tempfile.mkdtemp(prefix="aislamiento-usuario-", dir="/tmp"))
    os.chown(folder, *_ids(account))
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def _ids(account: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(account)
    return entry.pw_uid, entry.pw_gid


def test_an_ordinary_user_grades_with_namespaces_landlock_and_limits(account, scratch):
    """Run as an ordinary account, does a kernel the grader starts run as that account, in its own PID namespace, offline,
    unable to open the gradebook, writing in its notebook's folder?"""
    require(NAMESPACES)
    course = scratch / "curso"
    (course / "autograded" / "alumno" / "p").mkdir(parents=True)
    (course / "gradebook.db").write_text("secreto")
    for path in [course, *course.rglob("*")]:
        os.chown(path, *_ids(account))
    environment = {**os.environ, "HOME": str(scratch)}
    run = subprocess.run(["runuser", "-u", account, "--", sys.executable, "-c", GRADE, str(course)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, env=environment)
    assert run.returncode == 0, run.stderr[-3000:]
    identity, network, gradebook, own = json.loads(run.stdout.splitlines()[-1])
    uid, namespace = identity[0].split()  # the user outside the kernel's user namespace (root inside it)
    assert int(uid) == _ids(account)[0] and namespace != os.readlink("/proc/self/ns/pid")
    assert network[1] == ["OSError"]
    assert gradebook[1] == ["PermissionError"]
    assert own == ["escrito\n", []]


def test_an_ordinary_user_s_limits_stop_a_fork_bomb_and_keep_it_offline(account, scratch):
    """Through the launcher as an ordinary account: is a fork bomb stopped below the limit, the network unreachable,
    writing allowed only in the notebook's folder, and whatever cgroup is missing reported?"""
    require(NAMESPACES)
    os.chmod(scratch, 0o755)  # the checks write the scratch as root, then hand it to the account
    run = subprocess.run([sys.executable, "-m", "tests.sandbox_checks", "--scratch", str(scratch), "--user", account],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    result = json.loads(run.stdout.split(MARK, 1)[1])
    program = result["program"]
    assert result["uid"] != 0 and program, result["stderr"]
    # Without a delegated cgroup the bound is RLIMIT_NPROC: the launcher allows max_processes tasks more than the
    # account runs when it starts, and a task of the account that ends meanwhile (the process that started the
    # launcher) frees one more slot.
    assert program["fork_error"] == "EAGAIN" and program["forked"] <= LIMITS["max_processes"] + 1
    assert program["interfaces"] == ["lo"] and program["connect"] == "OSError:ENETUNREACH"
    assert program["writes"] == {"notebook": "ok", "gradebook": "EACCES", "elsewhere": "EACCES"}
    assert {"pid_namespace", "network_namespace", "landlock_filesystem", "memory", "file_size"} <= set(result["applied"])
    assert "processes_cgroup" in result["applied"] or "processes_rlimit" in result["applied"]
    assert {"memory_cgroup", "cpu_cgroup"} <= set(result["applied"]) | set(result["missing"])
