# The project's commands in one place (.ci/run calls lint, type and test).
# PYTHON picks the interpreter: `make test PYTHON=/path/to/venv/bin/python`; ARGS goes to pytest:
# `make test ARGS="tests/test_loop.py -k round"`.
PYTHON ?= python3
ARGS ?=

.PHONY: help install lint format type test unit e2e bench

help:
	@echo "make install  pip install -c requirements.lock -e '.[test]' (as the README says)"
	@echo "make lint     ruff check . && ruff format --check ."
	@echo "make format   ruff format . && ruff check --fix ."
	@echo "make type     mypy (strict, server/synthls)"
	@echo "make test     every test (python -m pytest); end-to-end tests run last"
	@echo "make unit     only the tests that start no real process (not e2e, not nvim)"
	@echo "make e2e      only the end-to-end tests: real server, CLI, Neovim, llama.cpp model"
	@echo "make bench    how to run each benchmark under scripts/ (they take data paths)"

install:
	$(PYTHON) -m pip install -c requirements.lock -e ".[test]"

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format:
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

type:
	$(PYTHON) -m mypy

test:
	$(PYTHON) -m pytest $(ARGS)

unit:
	$(PYTHON) -m pytest -m "not e2e and not nvim" $(ARGS)

e2e:
	$(PYTHON) -m pytest -m "e2e or nvim" $(ARGS)

# The benchmarks are not run from here: each takes minutes of CPU, and the data ones need files
# that are not in the repository. docs/benchmarks.md has the figures and the runs behind them.
bench:
	@echo "Benchmarks (each prints its figures and a baseline measured in the same run;"
	@echo "--json PATH also writes them). DATA is a folder holding the data files."
	@echo "  $(PYTHON) scripts/bench_sandbox.py --runs 200"
	@echo "  $(PYTHON) scripts/bench_actions.py [--lines 5000] [--requests 300]"
	@echo "  $(PYTHON) scripts/bench_bigfile.py [--lines 50000] [--small 500]"
	@echo "  $(PYTHON) scripts/bench_embedded.py --tasks DATA/mbpp_plus_dev.jsonl --examples 3 \\"
	@echo "      --budget 5 --half all --oracle-answers 2            # MBPP+ tasks (jsonl)"
	@echo "  $(PYTHON) scripts/bench_selection.py --problems DATA/humaneval.jsonl.gz \\"
	@echo "      --samples DATA/humaneval_codegen16b_n100.jsonl.gz [--oracle-answers 3 --sweep]"
	@echo "  $(PYTHON) scripts/bench_openai_replay.py --problems DATA/humaneval.jsonl.gz \\"
	@echo "      --samples DATA/humaneval_codegen16b_n100.jsonl.gz --limit 164"
	@echo "Each script's --help lists its options."
