# The Facial Keypoints Book: set up, build, test.  `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS ?= $(wildcard notebooks/*.py)  # `make outputs CHAPTERS=notebooks/04_cnn.py` for one

.PHONY: help setup book lint test sync outputs pretrained real-faces lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(STAMP)  ## create .venv with the pinned dependencies and fkp_helpers installed editable

$(STAMP): requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

book: setup  ## set everything up, then build the book into _build/html
	$(BIN)/jupyter-book build --warningiserror --keep-going .
	@echo "The book is at $(CURDIR)/_build/html/index.html"

lint: setup  ## ruff: lint (pycodestyle, pyflakes, imports, bugbear, pyupgrade) and check the formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint  ## lint, then the whole test suite: unit tests, then every notebook under strict nbval, in quick mode
	FKP_QUICK=1 $(BIN)/python -m pytest

sync: setup  ## pair every notebook with its py:percent file (jupytext --sync)
	$(BIN)/jupytext --sync notebooks/*.ipynb

outputs: setup  ## re-run every chapter in full mode, from an empty cache, and store its outputs in the .ipynb
	@cache=$$(mktemp -d -t fkp-outputs.XXXXXX) && trap 'rm -rf "$$cache"' EXIT && \
	echo "make outputs: empty cache in $$cache" && \
	for nb in $(CHAPTERS); do \
	  env -u FKP_QUICK FKP_CACHE_DIR="$$cache" $(BIN)/jupytext --to ipynb --execute "$$nb" || exit 1; \
	done

pretrained: setup  ## retrain the pretrained cnn the package ships (fkp_helpers/pretrained/), from an empty cache
	@cache=$$(mktemp -d -t fkp-pretrained.XXXXXX) && trap 'rm -rf "$$cache"' EXIT && \
	FKP_CACHE_DIR="$$cache" $(BIN)/python -m fkp_helpers.nn.pretrained

real-faces: setup  ## score the pretrained cnn on real faces (benchmarks/real_faces.py)
	$(BIN)/python benchmarks/real_faces.py

lock:  ## re-pin requirements-lock.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -vi '^fkp' > requirements-lock.txt.new
	mv requirements-lock.txt.new requirements-lock.txt

clean:  ## remove the built book
	rm -rf _build
