"""A real single-node Slurm on this machine for the tests: Debian's munge, slurmctld and slurmd (``make slurm``).

The daemons run as root with a ``slurm.conf`` written into a scratch folder
(state, spool, logs and pid files there too) on ports of their own; clients
find it through ``SLURM_CONF``. Each daemon the fixture started is stopped by its
pid file afterwards; a munged that was already running is left alone.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "sinfo", "scancel")
MUNGE_KEY, MUNGE_RUN = Path("/etc/munge/munge.key"), Path("/run/munge")
PARTITION = "curso"
START_TIMEOUT = 30  # seconds for the node to show idle


@dataclass(frozen=True)
class SlurmNode:
    conf: Path
    folder: Path
    hostname: str

    def environment(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def command(self, *args: str) -> str:
        return subprocess.run(args, capture_output=True, text=True, check=True, timeout=30,
                              env=self.environment()).stdout

    def jobs(self) -> list[tuple[str, str, str]]:
        """(job id, name, state) of every job in the queue."""
        lines = self.command("squeue", "--noheader", "--format=%i %j %T").splitlines()
        return [tuple(line.split()) for line in lines if line.strip()]

    def wait_for_empty_queue(self, timeout: float = 30) -> list[tuple[str, str, str]]:
        """The queue once empty, or as it still is after ``timeout`` seconds (cancelled jobs linger in COMPLETING)."""
        deadline = time.monotonic() + timeout
        while (jobs := self.jobs()) and time.monotonic() < deadline:
            time.sleep(0.5)
        return jobs

    def slurmd_log(self) -> str:
        return (self.folder / "slurmd.log").read_text(errors="replace")


def why_not_here() -> str:
    """Why a single-node Slurm cannot run here; empty when it can."""
    if os.geteuid() != 0:
        return "arrancar slurmctld, slurmd y munged hace falta ser root"
    if missing := [name for name in (*DAEMONS, *CLIENTS) if not shutil.which(name)]:
        return f"faltan {', '.join(missing)}: los instalan los paquetes de Debian slurm-wlm y munge (make slurm)"
    return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024 * 9 // 10
    raise RuntimeError("no MemTotal in /proc/meminfo")


def write_conf(folder: Path, hostname: str) -> Path:
    """slurm.conf for one node, this machine: 2 CPUs or more, no accounting, no cgroups, no systemd."""
    (folder / "state").mkdir(parents=True, exist_ok=True)
    (folder / "spool").mkdir(exist_ok=True)
    cpus = max(2, os.cpu_count() or 1)
    conf = folder / "slurm.conf"
    conf.write_text(f"""\
ClusterName=autograder-pruebas
SlurmctldHost={hostname}
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
StateSaveLocation={folder / 'state'}
SlurmdSpoolDir={folder / 'spool'}
SlurmctldPidFile={folder / 'slurmctld.pid'}
SlurmdPidFile={folder / 'slurmd.pid'}
SlurmctldLogFile={folder / 'slurmctld.log'}
SlurmdLogFile={folder / 'slurmd.log'}
NodeName={hostname} CPUs={cpus} RealMemory={_memory_mb()} State=UNKNOWN
PartitionName={PARTITION} Nodes={hostname} Default=YES MaxTime=INFINITE State=UP
""")
    return conf


def _munge_works() -> bool:
    credential = subprocess.run(["munge", "-n"], capture_output=True, timeout=10)
    return credential.returncode == 0 and subprocess.run(["unmunge"], input=credential.stdout, capture_output=True,
                                                         timeout=10).returncode == 0


def _start_munge() -> Path | None:
    """munged running with a key; the pid file of the one started here (None when one was running already)."""
    if _munge_works():
        return None
    munge = pwd.getpwnam("munge")
    if not MUNGE_KEY.exists():
        MUNGE_KEY.parent.mkdir(parents=True, exist_ok=True)
        MUNGE_KEY.write_bytes(os.urandom(1024))
        os.chown(MUNGE_KEY.parent, munge.pw_uid, munge.pw_gid)
    os.chown(MUNGE_KEY, munge.pw_uid, munge.pw_gid)
    MUNGE_KEY.chmod(0o400)
    MUNGE_RUN.mkdir(parents=True, exist_ok=True)
    os.chown(MUNGE_RUN, munge.pw_uid, munge.pw_gid)
    subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True, timeout=30)
    return MUNGE_RUN / "munged.pid"


def _stop(pid_file: Path, timeout: float = 15) -> None:
    """End the daemon whose pid is in ``pid_file``: SIGTERM, then SIGKILL if it lingers."""
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            os.kill(pid, 0)  # ProcessLookupError once it is gone
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def single_node_slurm(folder: Path):
    """munged, slurmctld and slurmd running on this machine with the node idle; stopped on the way out."""
    hostname = socket.gethostname().split(".")[0]
    conf = write_conf(folder, hostname)
    node = SlurmNode(conf, folder, hostname)
    started = []
    try:
        if munge_pid := _start_munge():
            started.append(munge_pid)
        for daemon in ("slurmctld", "slurmd"):
            subprocess.run([daemon, "-f", str(conf)], check=True, timeout=30, env=node.environment())
            started.append(folder / f"{daemon}.pid")
        deadline = time.monotonic() + START_TIMEOUT
        while (state := node.command("sinfo", "--noheader", "--format=%T").strip()) != "idle":
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Slurm node is {state!r}, not idle, after {START_TIMEOUT} s; "
                                   f"slurmctld.log: {(folder / 'slurmctld.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield node
    finally:
        for pid_file in reversed(started):
            _stop(pid_file)


@pytest.fixture(scope="module")
def slurm_node(tmp_path_factory):
    """A single-node Slurm for the module's tests, ``SLURM_CONF`` pointing at it; skipped where it cannot run."""
    if reason := why_not_here():
        pytest.skip(f"Slurm de un nodo no disponible: {reason}")
    with single_node_slurm(tmp_path_factory.mktemp("slurm")) as node, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLURM_CONF", str(node.conf))
        yield node
