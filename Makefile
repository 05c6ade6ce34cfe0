# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   build the knowledge graph of the bundled corpus into data/build/
#   make test   run the test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean virtuoso

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=python3" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build data/raw -o data/build

test: $(STAMP) virtuoso
	$(BIN)/python -m pytest

# The Virtuoso integration test (tests/test_virtuoso.py) starts and stops its own server;
# here we only make sure Debian's package is installed (as root, with apt-get).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing virtuoso-opensource (for the integration test)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null) \
	      || echo "warning: could not install virtuoso-opensource; its test will be skipped" >&2; \
	  else echo "note: virtuoso-t not found and cannot apt-get install it; its test will be skipped" >&2; fi; }

# Scale benchmark (not part of the tests): synthetic corpora of 100, 1000, 10000 documents.
# BENCH_SIZES="100 1000" make bench   for a shorter run; results in bench/results/.
BENCH_SIZES ?= 100 1000 10000
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV) data/build data/store
