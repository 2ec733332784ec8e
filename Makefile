# Two entry points: `make demo` (the main job) and `make test` (the kit's tests).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv

# The grading environment comes from pinned versions (constraints.txt), so that a fresh install grades as today.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

# Refresh the pinned versions: pyproject.toml's ranges resolved anew in a scratch environment, then frozen.
# Run `make test` on the new versions before committing constraints.txt (thresholds depend on them).
LOCK_VENV = $(VENV)-fijar-versiones
fijar-versiones:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e ".[test]"
	printf '%s\n' \
		"# The grading environment's pinned versions: \`make\` installs the kit with \`pip install -c constraints.txt\`." \
		"# Verdicts and thresholds depend on TensorFlow's and Keras' numbers, so a fresh install grades as today." \
		"# Written by \`make fijar-versiones\` (pyproject.toml's ranges resolved anew); do not edit by hand." \
		> constraints.txt.new
	$(LOCK_VENV)/bin/pip freeze --exclude-editable >> constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

.PHONY: demo test browser proxy slurm vm fijar-versiones
demo: $(VENV)/.installed proxy
	$(VENV)/bin/autograder demo

test: $(VENV)/.installed browser proxy slurm vm
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

# The course server's proxy (JupyterHub's configurable-http-proxy), from the npm registry, inside the environment.
proxy: $(VENV)/proxy/node_modules/.bin/configurable-http-proxy
$(VENV)/proxy/node_modules/.bin/configurable-http-proxy: $(VENV)/.installed
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/proxy configurable-http-proxy@5

# tests/test_formgrader.py drives the formgrader with Debian's headless Chromium and its driver
# (installed as root where missing; no browser is downloaded from elsewhere).
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)

# tests/test_slurm.py grades through a real single-node Slurm (slurmctld, slurmd and munge started by the test):
# Debian's packages, installed as root where missing.
slurm:
	command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && command -v sinfo >/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 slurm-wlm slurmctld slurmd slurm-client munge)

# tests/test_sandbox_cgroup2_vm.py boots Debian's kernel in qemu (software emulation) to check the sandbox on a
# cgroup-v2 Linux, with this machine's own files shared read-only (installed as root where missing).
vm:
	command -v qemu-system-x86_64 >/dev/null && command -v mkinitramfs >/dev/null && ls /boot/vmlinuz-* >/dev/null 2>&1 || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			qemu-system-x86 linux-image-amd64 initramfs-tools)
