# AudioUploadNotifier — the two commands: `make run` and `make test`. Each installs what it needs.
SWIFT      ?= swift
BUILD      := .build
VENV       := $(BUILD)/venv
PYTHON     := $(VENV)/bin/python
RIE        := $(BUILD)/rie/aws-lambda-rie
DEBUG_BIN  := $(shell $(SWIFT) build --show-bin-path 2>/dev/null || echo $(BUILD)/debug)
RUNTIME    ?= provided.al2

.PHONY: run test unit conformance deploy-test replay bench package package-al2 deploy deps venv rie clean help

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: deps  ## the main job: replay events/*.json through the real bootstrap, locally
	$(SWIFT) build --product bootstrap
	$(SWIFT) build --product notifier
	$(DEBUG_BIN)/notifier replay --events events --bootstrap $(DEBUG_BIN)/bootstrap

test: deps venv rie  ## every test: unit, integration, replay smoke, RIE conformance, packaging and deploy
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(DEBUG_BIN)/notifier replay --events events --bootstrap $(DEBUG_BIN)/bootstrap
	BOOTSTRAP=$(DEBUG_BIN)/bootstrap ECHO_LAMBDA=$(DEBUG_BIN)/echo-lambda RIE=$(RIE) \
		$(PYTHON) -m pytest Tests/Conformance Tests/Deploy -q -p no:cacheprovider

unit: deps  ## Swift tests only (unit and integration)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

conformance: deps venv rie  ## conformance tests under the real AWS Runtime Interface Emulator
	$(SWIFT) build --product bootstrap
	$(SWIFT) build --product echo-lambda
	BOOTSTRAP=$(DEBUG_BIN)/bootstrap ECHO_LAMBDA=$(DEBUG_BIN)/echo-lambda RIE=$(RIE) \
		$(PYTHON) -m pytest Tests/Conformance -q -p no:cacheprovider

deps:  ## Debian packages the C modules link against
	@dpkg -s libcurl4-openssl-dev libssl-dev >/dev/null 2>&1 || { \
		echo "installing libcurl4-openssl-dev libssl-dev"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq libcurl4-openssl-dev libssl-dev >/dev/null; }

venv: $(VENV)/.installed  ## Python tools for the conformance and deploy suites

$(VENV)/.installed: Tests/Conformance/requirements.txt Tests/Deploy/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/Conformance/requirements.txt -r Tests/Deploy/requirements.txt
	touch $@

rie: $(RIE)  ## the AWS Runtime Interface Emulator, from the aws-sam-cli wheel on PyPI

$(RIE):
	RIE_CACHE=$(BUILD)/rie bash Tests/Conformance/fetch_rie.sh

clean:  ## remove build products and dist/
	rm -rf $(BUILD) dist
