# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TRANSLATIONS := shared/translations $(wildcard services/*/*/translations)

.PHONY: run test test-postgres test-kafka test-browser setup postgres translations extract-messages bench clean

run: setup
	$(PY) -m runner

# The production-like run among the tests needs PostgreSQL: started (installed if missing) first.
test: setup postgres
	$(PY) -m pytest $(PYTEST_ARGS)

# Production's engines, each test once: those that need no broker on PostgreSQL (127.0.0.1:5432
# by default); every test that talks to a broker on Apache Kafka's own 3-node KRaft cluster
# (Java 17 and Maven: deploy/kafka/pom.xml) and PostgreSQL together, as production runs them.
# `make test` runs them all on the embedded broker and SQLite.
test-postgres: setup postgres
	ASP_TEST_DATABASE=postgresql $(PY) -m pytest -m "not browser and not embedded and not broker" $(PYTEST_ARGS) tests

test-kafka: setup postgres
	ASP_TEST_DATABASE=postgresql ASP_BROKER=kafka ASP_KAFKA_NODES=3 $(PY) -m pytest -m "broker and not browser" $(PYTEST_ARGS) tests

setup: $(STAMP) translations

# Debian's PostgreSQL on 127.0.0.1:5432, installed and started when it does not answer there.
postgres:
	@bash deploy/local/postgres.sh

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Compiled catalogues are build output (not committed): made from the .po files here.
translations: $(STAMP)
	@for dir in $(TRANSLATIONS); do \
	    ls $$dir/*/LC_MESSAGES/messages.po >/dev/null 2>&1 || continue; \
	    $(VENV)/bin/pybabel compile -d $$dir >/dev/null 2>&1 || { $(VENV)/bin/pybabel compile -d $$dir; exit 1; }; \
	done

# For developers: refresh the catalogues after changing user-facing text, then translate
# what `python -m runner.catalogues check` lists.
extract-messages: $(STAMP)
	$(PY) -m runner.catalogues extract

bench: setup
	$(PY) bench/backbone.py

# Whole-platform load (docs/PERFORMANCE.md): `make soak` — 5 minutes of mixed load on 20 communes
# (bench/soak.py); `make scale` — the same activity for 53 and for every Swiss commune
# (bench/scale.py, long). Options through SOAK_ARGS / SCALE_ARGS, e.g. SCALE_ARGS="--communes 3,12".
.PHONY: soak scale
soak: setup
	$(PY) bench/soak.py $(SOAK_ARGS)

scale: setup
	$(PY) bench/scale.py $(SCALE_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache

# -- deployment (deploy/README.md) ------------------------------------------------------------
.PHONY: prod-run deploy-files test-deploy

# The production-like run on this machine: gunicorn, PostgreSQL, nginx, Prometheus
# (apt-get install nginx prometheus).
prod-run: setup postgres
	$(PY) -m prodrun

# Regenerate the deployment files that follow from runner/services.py.
deploy-files: setup
	$(PY) -m prodrun.manifests write

# The deployment checks (compose, Kubernetes, promtool, nginx, dashboards) and the
# production-like run.
test-deploy: setup
	$(PY) -m pytest $(PYTEST_ARGS) tests/deploy
