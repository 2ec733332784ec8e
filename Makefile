# Two entry points: `make demo` (the main job) and `make test` (the kit's tests).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

.PHONY: demo test browser proxy vm
demo: $(VENV)/.installed proxy
	$(VENV)/bin/autograder demo

test: $(VENV)/.installed browser proxy vm
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

# tests/test_sandbox_cgroup2_vm.py boots Debian's kernel in qemu (software emulation) to check the sandbox on a
# cgroup-v2 Linux, with this machine's own files shared read-only (installed as root where missing).
vm:
	command -v qemu-system-x86_64 >/dev/null && command -v mkinitramfs >/dev/null && ls /boot/vmlinuz-* >/dev/null 2>&1 || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			qemu-system-x86 linux-image-amd64 initramfs-tools)
