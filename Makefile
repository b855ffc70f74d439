# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_LANGUAGE ?= en

.PHONY: run test lint typecheck install install-dev lock demo bench bench-moviepy clean i18n-import

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# dependencies exactly as locked (requirements/*.txt, hashes checked), then dayreel itself without resolving
install: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	$(BIN)/python -m media_pipeline.faces.model

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	$(BIN)/python -m media_pipeline.faces.model

## make lock: regenerate requirements/*.txt after changing dependencies in pyproject.toml (tests/test_lock.py)
VENV_LOCK := .venv-lock
UV_COMPILE := $(VENV_LOCK)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes

lock:
	test -x $(VENV_LOCK)/bin/uv || ($(PYTHON) -m venv $(VENV_LOCK) && $(VENV_LOCK)/bin/pip install --quiet uv)
	$(UV_COMPILE) pyproject.toml -o requirements/runtime.txt
	$(UV_COMPILE) --extra dev pyproject.toml -o requirements/dev.txt

## make i18n-import [BASE=rev]: move texts still in app/locales/*.py dicts (merged branches) into the gettext
## catalogues app/locales/<lang>/LC_MESSAGES/messages.po; with BASE, a branch's rewordings since BASE win
i18n-import: $(BIN)/python
	$(BIN)/python -m app.i18n_import $(if $(BASE),--base $(BASE))

## make run: set up, create the demo project (renders its film), serve on http://127.0.0.1:8000
run: install
	DAYREEL_PUBLIC_BASE_URL=$${DAYREEL_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/dayreel demo --language $(DEMO_LANGUAGE)
	DAYREEL_PUBLIC_BASE_URL=$${DAYREEL_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/dayreel serve --host $(HOST) --port $(PORT)

## make test: set up with test tools and run the whole suite
test: install-dev
	$(BIN)/pytest -q

lint: install-dev
	$(BIN)/ruff check .

## make typecheck: mypy over app/ and media_pipeline/ ([tool.mypy] in pyproject.toml), 0 errors
typecheck: install-dev
	$(BIN)/mypy

## make bench-moviepy: the film benchmark's moviepy baseline in its own venv (moviepy pins Pillow < 12)
VENV_MOVIEPY := .venv-moviepy

$(VENV_MOVIEPY)/bin/python:
	$(PYTHON) -m venv $(VENV_MOVIEPY)
	$(VENV_MOVIEPY)/bin/pip install --quiet --upgrade pip
	$(PYTHON) bench/extra_requirements.py bench-moviepy > $(VENV_MOVIEPY)/requirements.txt
	$(VENV_MOVIEPY)/bin/pip install --quiet -r $(VENV_MOVIEPY)/requirements.txt

bench-moviepy: $(VENV_MOVIEPY)/bin/python

bench: install-dev bench-moviepy
	$(BIN)/python bench/film.py --quick
	$(BIN)/python bench/collage.py
	$(BIN)/python bench/upload.py
	$(BIN)/python bench/capacity.py

clean:
	rm -rf $(VENV) $(VENV_MOVIEPY) $(VENV_LOCK) .pytest_cache .ruff_cache test-artifacts
