# Two entry points: `make demo` (the main job) and `make test` (the kit's tests).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

.PHONY: demo test browser proxy slurm
demo: $(VENV)/.installed proxy
	$(VENV)/bin/autograder demo

test: $(VENV)/.installed browser proxy slurm
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
