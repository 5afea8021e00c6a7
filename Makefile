# AudioUploadNotifier — the two commands: `make run` and `make test`. Each installs what it needs.
SWIFT      ?= swift
BUILD      := .build
VENV       := $(BUILD)/venv
PYTHON     := $(VENV)/bin/python
RIE        := $(BUILD)/rie/aws-lambda-rie
DEBUG_BIN  := $(shell $(SWIFT) build --show-bin-path 2>/dev/null || echo $(BUILD)/debug)
RUNTIME    ?= provided.al2023
# The deployed bootstrap: one fully static executable (no PT_INTERP, no DT_NEEDED) that starts on
# provided.al2023 and provided.al2 alike. libcurl and c-ares are built from Debian's source packages,
# OpenSSL comes from libssl-dev's static archives (tools/build/static-libcurl.sh).
STATIC_BUILD  := .build-static
STATIC_CURL   := $(BUILD)/static-curl
STATIC_BIN    := $(STATIC_BUILD)/release/bootstrap
# --icf=safe: the linker folds functions with identical code whose address is never taken (generic
# specialisations, value witnesses), and never a function whose identity C code could compare.
# What it saves: Benchmarks/FINDINGS.md.
STATIC_FLAGS  := -c release --static-swift-stdlib -Xswiftc -static-executable \
	-Xlinker --icf=safe --scratch-path $(STATIC_BUILD)
STATIC_DEPS   := libcurl4-openssl-dev libssl-dev libc-ares-dev dpkg-dev advancecomp

.PHONY: run test unit sanitize tsan conformance deploy-test e2e package static-bootstrap deploy deps venv rie clean help

help:  ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo
	@echo "make test runs, in order: the Swift unit and integration tests; the replay smoke (events/);"
	@echo "packaging (make package); RIE conformance, the deploy suite on moto and the end-to-end check"
	@echo "(pytest); the Swift tests under ASan/LSan, then under TSan; the fuzz smoke. About 11 minutes on"
	@echo "a 2-core VM from a clean clone (bash .ci/run); Benchmarks/FINDINGS.md keeps the figure."

run: deps  ## the main job: replay events/*.json through the real bootstrap, locally
	$(SWIFT) build --product bootstrap
	$(SWIFT) build --product notifier-dev
	$(DEBUG_BIN)/notifier-dev replay --events events --bootstrap $(DEBUG_BIN)/bootstrap

test: deps venv rie  ## every test (about 11 min on 2 cores; what it runs: below)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(DEBUG_BIN)/notifier-dev replay --events events --bootstrap $(DEBUG_BIN)/bootstrap
	$(MAKE) --no-print-directory package
	BOOTSTRAP=$(DEBUG_BIN)/bootstrap ECHO_LAMBDA=$(DEBUG_BIN)/echo-lambda RIE=$(RIE) AWS_PROBE=$(DEBUG_BIN)/aws-probe \
		$(PYTHON) -m pytest $(wildcard Tests/Conformance Tests/Deploy Tests/EndToEnd) -q -p no:cacheprovider
	$(MAKE) --no-print-directory sanitize
	$(MAKE) --no-print-directory tsan
	$(MAKE) --no-print-directory fuzz-smoke

unit: deps  ## Swift tests only (unit and integration)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# AddressSanitizer and LeakSanitizer over the Swift tests. Everything is built instrumented in its own
# folder, so the integration tests start an ASan-built bootstrap and echo-lambda: their leak check at
# exit is unsuppressed. The test runner's own leaks inside the toolchain (Foundation's Process, XCTest)
# are suppressed by Tests/Sanitizers/lsan.supp, which says why for each entry.
SANITIZE_BUILD := .build-asan
sanitize: deps  ## Swift tests under AddressSanitizer + LeakSanitizer, with ASan-built bootstrap and echo-lambda
	$(SWIFT) build --build-tests --sanitize=address --scratch-path $(SANITIZE_BUILD)
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp:print_suppressions=1 \
		$(SWIFT) test --skip-build --sanitize=address --scratch-path $(SANITIZE_BUILD)

# ThreadSanitizer over the Swift tests, the concurrency ones included (N workers in-process against a
# fake Runtime API, and TSan-built bootstrap and echo-lambda processes with AWS_LAMBDA_MAX_CONCURRENCY).
# Any report fails the run (the process exits 66). Shared state is locked with pthread mutexes (Lock,
# Locked), which ThreadSanitizer intercepts; Synchronization.Mutex's futex calls it cannot see.
TSAN_BUILD := .build-tsan
tsan: deps  ## Swift tests under ThreadSanitizer, with TSan-built bootstrap and echo-lambda
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path $(TSAN_BUILD)
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path $(TSAN_BUILD)

deploy-test: venv  ## the deploy suite: cfn-lint and moto stacks of the template, deploy.sh and redrive.sh on loopback moto
	$(PYTHON) -m pytest Tests/Deploy -q -p no:cacheprovider

# The guide's "upload -> notification -> preprocessing" on moto: deploy/platform.yaml's queues and roles,
# the shipped bootstrap under the RIE, tools/reference_backend.py and tools/preprocessing_worker.py.
e2e: deps venv rie  ## the end-to-end check against moto (Tests/EndToEnd; against an account: tools/vba_platform.py e2e)
	$(SWIFT) build --product bootstrap
	BOOTSTRAP=$(DEBUG_BIN)/bootstrap RIE=$(RIE) $(PYTHON) -m pytest Tests/EndToEnd -q -p no:cacheprovider

conformance: deps venv rie  ## conformance tests under the real AWS Runtime Interface Emulator
	$(SWIFT) build --product bootstrap
	$(SWIFT) build --product echo-lambda
	$(SWIFT) build --product aws-probe
	BOOTSTRAP=$(DEBUG_BIN)/bootstrap ECHO_LAMBDA=$(DEBUG_BIN)/echo-lambda RIE=$(RIE) AWS_PROBE=$(DEBUG_BIN)/aws-probe \
		$(PYTHON) -m pytest Tests/Conformance -q -p no:cacheprovider

deps:  ## Debian packages the C modules link against, and what the static build needs
	@dpkg -s $(STATIC_DEPS) >/dev/null 2>&1 || { \
		echo "installing $(STATIC_DEPS)"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq $(STATIC_DEPS) >/dev/null; }

venv: $(VENV)/.installed  ## Python tools for the conformance and deploy suites

REQUIREMENTS := $(wildcard Tests/*/requirements.txt)

$(VENV)/.installed: $(REQUIREMENTS)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check $(addprefix -r ,$(REQUIREMENTS))
	touch $@

rie: $(RIE)  ## the AWS Runtime Interface Emulator, from the aws-sam-cli wheel on PyPI

$(RIE):
	RIE_CACHE=$(BUILD)/rie bash Tests/Conformance/fetch_rie.sh

package: static-bootstrap  ## the fully static bootstrap → dist/bootstrap.zip + manifest, checked against both runtimes
	$(SWIFT) build --product notifier-dev
	@mkdir -p dist
	bash tools/build/linked-components.sh $(STATIC_CURL) > $(BUILD)/linked-components.json
	$(DEBUG_BIN)/notifier-dev package --binary $(STATIC_BIN) --runtime $(RUNTIME) --output dist --release \
		--linked-components $(BUILD)/linked-components.json

static-bootstrap: deps  ## only build the static bootstrap (libcurl cached under .build/static-curl)
	PKG_CONFIG_PATH=$$(bash tools/build/static-libcurl.sh $(STATIC_CURL)) $(SWIFT) build $(STATIC_FLAGS) --product bootstrap

deploy: ## update the code of the function the template created, from dist/ (refuses an unfit artifact); see deploy/README.md
	bash deploy/deploy.sh

clean:  ## remove build products and dist/
	rm -rf $(BUILD) dist

include Makefile.bench
include Makefile.fuzz
