# The two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
export PORT ?= 5000

.PHONY: run test lint format install install-dev translations migrate demo serve clean node

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The forum scheduler's annealing loop is compiled (numba) once, after an install or a change of
# it, and kept on disk: no forum's time limit pays for the compiler.
$(VENV)/.compiled: app/matching/engine/anneal.py $(VENV)/.installed
	$(BIN)/python -c "from app.matching.engine.forum import compile_annealing as c; c()"
	touch $@

install: $(VENV)/.installed $(VENV)/.compiled translations node
install-dev: $(VENV)/.installed-dev $(VENV)/.compiled translations node

# The npm packages (package.json, pinned in package-lock.json): jsQR, which the app serves to the
# phone apps' cameras where the browser has no BarcodeDetector (so `make run` needs it too), and
# axe-core and ical.js for the tests. Without npm the phones read QR codes only with
# BarcodeDetector (typed codes always work) and those tests skip with one line.
node:
	@if command -v npm >/dev/null 2>&1; then \
		[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund \
		|| echo "npm ci failed: no jsQR for the phone apps' cameras (BarcodeDetector or typed codes only)"; \
	else echo "npm not found: no jsQR for the phone apps' cameras, and the axe-core and ical.js tests will be skipped"; fi

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -f -d app/translations >/dev/null

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo load --if-empty

# The web server on 127.0.0.1:$(PORT) (`make run PORT=5001`) and one task-queue worker beside
# it, stopped with it (scripts/serve.sh).
run: demo
	@$(BIN)/flask demo logins
	scripts/serve.sh

# The suite in TEST_WORKERS processes (pytest-xdist; each has its own database): `make test
# TEST_WORKERS=0` runs it in one.
TEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
