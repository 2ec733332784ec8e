# Two entry points: `make demo` (the main job) and `make test` (the kit's tests).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

.PHONY: demo test
demo: $(VENV)/.installed
	$(VENV)/bin/autograder demo

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest
