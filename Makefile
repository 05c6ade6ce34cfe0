# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   build the knowledge graph of the bundled corpus into data/build/
#   make test   run the test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=python3" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build data/raw -o data/build

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data/build
