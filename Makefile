# Two commands: `make run` starts everything on embedded defaults; `make test` runs every test.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 5000
PYTEST_ARGS ?=
TEST_JOBS ?= 2

.PHONY: run test unit integration install lint screenshots bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m app up --port $(PORT)

test: install
	$(PY) -m pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

unit: install
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

integration: install
	$(PY) -m pytest -m integration $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# refresh the README's screenshots (the browser test writes them to a temporary directory otherwise)
screenshots: install
	OPSPLAN_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/app/ui/test_browser.py \
		tests/app/ui/test_chat_browser.py $(PYTEST_ARGS)

bench: install
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
