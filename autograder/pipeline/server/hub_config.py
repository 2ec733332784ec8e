"""JupyterHub's configuration for the course: ``jupyterhub_config.py`` at the course root calls ``configure_hub``.

- Accounts: the machine's own (PAM), only members of the students' and the
  instructors' groups log in; each single-user server runs as its Unix user
  (JupyterHub's local process spawner), in its home, with the kit's Python.
- nbgrader: the exchange at ``c.Exchange.root`` of ``nbgrader_config.py``;
  students get the Assignments tab, instructors also the formgrader on the course.
- The grading service (``grading_service``) as a managed service: JupyterHub
  starts it with the hub and starts it again if it dies.

Everything a student's server reads lies in the public folder (``public``):
the exchange, the data cache and each group's Jupyter configuration. The course
folder itself (gradebook, submissions, hidden checks) stays the instructors'.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import sys
from pathlib import Path

from autograder import course_data
from autograder.pipeline.course import load_config, tensorflow_environment
from autograder.pipeline.server.exchange import course_id, exchange_root, prepare_exchange

STUDENTS_GROUP = "alumnado"
INSTRUCTORS_GROUP = "profesorado"
STATE = Path("servidor")  # in the course folder: the hub's database, cookie secret and proxy pid
# What students must not see in JupyterLab: nbgrader's instructor tools.
STUDENT_DISABLED_LAB = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                        "@jupyter/nbgrader:course-list")
STUDENT_DISABLED_SERVER = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")


def public_folder(config) -> Path:
    """Where students' servers read from: the exchange's parent folder."""
    return exchange_root(config).parent


def write_public_files(*, root: Path) -> dict[str, Path]:
    """The exchange, the data cache students' kernels read, and each group's Jupyter configuration folder."""
    config = load_config(root)
    prepare_exchange(config)
    public = public_folder(config)
    data = public / "datos"
    data.mkdir(parents=True, exist_ok=True)
    _mirror(course_data.cache_dir(), data)
    folders = {"datos": data}
    settings = {"course_id": course_id(config), "exchange": str(exchange_root(config))}
    for group, course_root in ((STUDENTS_GROUP, None), (INSTRUCTORS_GROUP, Path(root).resolve())):
        folder = public / "jupyter" / group
        (folder / "labconfig").mkdir(parents=True, exist_ok=True)
        lines = [f"c.CourseDirectory.course_id = {settings['course_id']!r}", f"c.Exchange.root = {settings['exchange']!r}"]
        if course_root:
            lines.append(f"c.CourseDirectory.root = {str(course_root)!r}")
        (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
        disabled_lab = STUDENT_DISABLED_LAB if group == STUDENTS_GROUP else ()
        disabled_server = STUDENT_DISABLED_SERVER if group == STUDENTS_GROUP else ()
        (folder / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in disabled_lab}}), encoding="utf-8")
        (folder / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {name: False for name in disabled_server}}}),
            encoding="utf-8")
        folders[group] = folder
    for path in [public, *public.rglob("*")]:
        if not path.is_relative_to(exchange_root(config)):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return folders


def _mirror(source: Path, target: Path) -> None:
    """Copy the data files students' kernels read (the grader's cache may lie where other accounts cannot go)."""
    for path in sorted(source.glob("*")) if source.is_dir() else []:
        copy = target / path.name
        if path.is_file() and (not copy.exists() or copy.stat().st_size != path.stat().st_size
                               or copy.stat().st_mtime < path.stat().st_mtime):
            shutil.copy2(path, copy)


def user_groups(name: str) -> set[str]:
    """The Unix groups of user ``name`` (none if there is no such user)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return set()
    return {grp.getgrgid(gid).gr_name for gid in os.getgrouplist(name, entry.pw_gid)}


def configure_hub(c, *, root: Path, ip: str = "127.0.0.1", port: int = 8000, profile: str = "rapido",
                  proxy: str | None = None, grading_workers: int | None = None) -> None:
    """Fill JupyterHub's config ``c`` for the course at ``root``."""
    root = Path(root).resolve()
    folders = write_public_files(root=root)
    state = root / STATE
    state.mkdir(exist_ok=True)
    os.chmod(state, 0o700)
    environment_bin = Path(sys.executable).parent

    c.JupyterHub.bind_url = f"http://{ip}:{port}"
    # The hub and the proxy's API listen on the next two ports, on this machine only.
    c.JupyterHub.hub_ip, c.JupyterHub.hub_port = "127.0.0.1", port + 1
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.ConfigurableHTTPProxy.command = [proxy or _proxy_command()]
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {STUDENTS_GROUP, INSTRUCTORS_GROUP}
    c.JupyterHub.spawner_class = "localprocess"
    c.Spawner.cmd = [str(environment_bin / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.http_timeout = 120
    c.Spawner.environment = {
        course_data.CACHE_ENV: str(folders["datos"]),
        **tensorflow_environment(),
        "PATH": os.pathsep.join([str(environment_bin), "/usr/local/bin", "/usr/bin", "/bin"]),
    }

    def group_configuration(spawner) -> None:
        instructor = INSTRUCTORS_GROUP in user_groups(spawner.user.name)
        spawner.environment["JUPYTER_CONFIG_PATH"] = str(folders[INSTRUCTORS_GROUP if instructor else STUDENTS_GROUP])
        if instructor:  # nbgrader's formgrader needs the course inside the server's root folder
            spawner.notebook_dir = str(root)

    c.Spawner.pre_spawn_hook = group_configuration
    service = [sys.executable, "-m", "autograder.pipeline.server.grading_service", "--curso", str(root),
               "--perfil", profile]
    if grading_workers:
        service += ["--trabajadores", str(grading_workers)]
    c.JupyterHub.services = [{"name": "corrector", "command": service, "environment": {
        "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"),
        course_data.CACHE_ENV: str(course_data.cache_dir().resolve())}}]


def _proxy_command() -> str:
    """configurable-http-proxy: the one the Makefile installs in the environment (``.venv/proxy``), or one on PATH."""
    for candidate in (Path(sys.executable).parents[1] / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy",):
        if candidate.exists():
            return str(candidate)
    return shutil.which("configurable-http-proxy") or "configurable-http-proxy"
