# Prism — two commands: `make run` (install + start on the demo workspace) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
# moto's S3 server for the object-store tests, in its own virtualenv (requirements-s3.txt says why)
S3VENV := .venv-s3
S3STAMP := $(S3VENV)/.requirements-installed
PORT   ?= 8501
# loopback only by default; `make run ADDRESS=0.0.0.0` serves the team's network (README)
ADDRESS ?= localhost

.PHONY: setup setup-spark setup-s3 run init test test-unit test-app test-e2e bench clean

$(STAMP): requirements.txt tools/prism_streamlit.py tools/prism_streamlit.pth
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@# `streamlit run app.py` behaves as `python app.py` (tools/prism_streamlit.py says why)
	site=$$($(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") && \
	  cp tools/prism_streamlit.py "$$site/_prism_streamlit.py" && cp tools/prism_streamlit.pth "$$site/_prism_streamlit.pth"
	@touch $(STAMP)

## setup: create .venv and install the pinned requirements (idempotent)
setup: $(STAMP)

## setup-spark: the Spark engine on top of setup: pyspark (requirements-spark.txt) and, when missing, a Java
## runtime (Debian's default-jre-headless; needs root). Then PRISM_ENGINE=spark (docs/deploy.md).
setup-spark: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	@command -v java >/dev/null 2>&1 || { echo "installing Debian's default-jre-headless"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }

$(S3STAMP): requirements-s3.txt
	@test -x $(S3VENV)/bin/python || $(PYTHON) -m venv $(S3VENV)
	$(S3VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-s3.txt
	@touch $(S3STAMP)

## setup-s3: moto's S3 server for the object-store tests (tests/s3.py), in .venv-s3; the app needs none of it
setup-s3: $(S3STAMP)

## init: migrate the store, create the first admin, seed the demo workspace (idempotent)
init: setup
	$(BIN)/python -m data init

## run: set up everything and start the app on http://$(ADDRESS):$(PORT)
run: init
	$(BIN)/python app.py --server.address $(ADDRESS) --server.port $(PORT)

## test: every test (unit, AppTest, end-to-end in headless Chromium)
test: setup setup-s3
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-unit: setup setup-s3
	$(BIN)/python -m pytest -q tests/unit

test-app: setup
	$(BIN)/python -m pytest -q tests/app

test-e2e: setup
	$(BIN)/python -m pytest -q tests/e2e

## bench: benchmarks (not tests); figures printed and written to bench/results/
bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(S3VENV) .pytest_cache
