"""A virtual machine with a cgroup-v2 Linux, to check the sandbox where this machine (cgroup v1) cannot.

Debian's kernel (``make vm`` installs it, with qemu) boots under software
emulation with this machine's own file tree as its root, shared read-only over
9p, so the kit, its environment and its tests are there as they are here. Its
init is ``tests/vm/init.sh``. Debian's own initramfs lacks 9p: one with it is
built once per kernel version and kept in ``.venv/vm/``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.sandbox_checks import MARK

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".venv" / "vm"
INIT = ROOT / "tests" / "vm" / "init.sh"
MODULES = ("9p", "9pnet", "9pnet_virtio", "virtio_pci")
QEMU = "qemu-system-x86_64"


def kernel() -> Path | None:
    """The newest kernel in /boot."""
    kernels = sorted(Path("/boot").glob("vmlinuz-*"))
    return kernels[-1] if kernels else None


def unavailable() -> str:
    """Why the virtual machine cannot run here (in Spanish); empty when it can."""
    if not shutil.which(QEMU):
        return f"no hay {QEMU} (make vm lo instala con apt)"
    if kernel() is None:
        return "no hay ningún núcleo en /boot (make vm instala linux-image-amd64)"
    if not shutil.which("mkinitramfs") and not _cached_initramfs(kernel()).exists():
        return "no hay mkinitramfs (make vm instala initramfs-tools)"
    return ""


def initramfs(vmlinuz: Path) -> Path:
    """An initramfs for ``vmlinuz`` that can mount a 9p root, built on first use (about 30 s)."""
    target = _cached_initramfs(vmlinuz)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            config = Path(scratch) / "initramfs-tools"
            shutil.copytree("/etc/initramfs-tools", config)
            with (config / "modules").open("a") as modules:
                modules.write("\n" + "\n".join(MODULES) + "\n")
            partial = target.with_suffix(".partial")
            subprocess.run(["mkinitramfs", "-d", str(config), "-o", str(partial), _version(vmlinuz)], check=True,
                           capture_output=True)
            partial.rename(target)
    return target


def run_checks(user: str, timeout: float = 240) -> tuple[list[dict], str]:
    """Boot the machine, let ``tests/vm/init.sh`` run the checks as root and as ``user``; their results, the console."""
    vmlinuz = kernel()
    command = [
        QEMU, "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "1024", "-nographic", "-no-reboot",
        "-kernel", str(vmlinuz), "-initrd", str(initramfs(vmlinuz)),
        "-append", " ".join([
            "root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro console=ttyS0",
            f"init={INIT} panic=-1 quiet", f"autograder_root={ROOT}", f"autograder_python={sys.executable}",
            f"autograder_user={user}",
        ]),
        "-fsdev", "local,id=r,path=/,security_model=none,readonly=on", "-device", "virtio-9p-pci,fsdev=r,mount_tag=rootfs",
        "-nic", "user,model=virtio-net-pci",
    ]
    console = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                             errors="replace").stdout
    results = [json.loads(line.split(MARK, 1)[1]) for line in console.splitlines() if MARK in line]
    return results, console


def _cached_initramfs(vmlinuz: Path) -> Path:
    return CACHE / f"initrd-{_version(vmlinuz)}-9p.img"


def _version(vmlinuz: Path) -> str:
    return vmlinuz.name.removeprefix("vmlinuz-")
