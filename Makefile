# Propeller for .NET. The two commands a user needs: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
DOTNET ?= dotnet
CONFIGURATION ?= Release
BUILD := build
APPS := Propeller.Manager Propeller.Proplet Propeller.Cli Propeller.WasmCli
# The executables sit in build/ as links into build/lib/, where each app's files live side by side.
EXECUTABLES := propeller-manager propeller-proplet propeller-cli propeller-wasm
GUEST_SOURCES := $(wildcard tests/guests/*.c) $(wildcard tests/guests/*.wat) $(wildcard tests/guests/*.rs)
GUESTS := $(patsubst tests/guests/%,$(BUILD)/guests/%,$(addsuffix .wasm,$(basename $(GUEST_SOURCES))))
WASI_CC := clang --target=wasm32-wasi -O2 -Wl,--strip-all
WASI_RUSTC := /usr/bin/rustc --edition 2021 -O --target wasm32-wasi -C strip=debuginfo
NN_EXAMPLE := examples/wasi-nn
NN_GUESTS := $(BUILD)/examples/wasi-nn/classification-c.wasm $(BUILD)/examples/wasi-nn/classification-rust.wasm

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all run test bench deps guests examples onnxruntime clean help docs-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

all: onnxruntime ## build every executable into build/ (propeller-manager, propeller-proplet, propeller-cli, cli)
	$(DOTNET) build Propeller.sln -c $(CONFIGURATION) -warnaserror --nologo -v quiet
	for app in $(APPS); do $(DOTNET) publish src/$$app -c $(CONFIGURATION) --no-build -o $(BUILD)/lib --nologo -v quiet; done
	for exe in $(EXECUTABLES); do ln -sfn lib/$$exe $(BUILD)/$$exe; done
	ln -sfn lib/propeller-cli $(BUILD)/cli

onnxruntime: ## fetch ONNX Runtime (pinned npm packages, checksum-checked) into .cache/onnxruntime/ for wasi-nn
	./scripts/fetch-onnxruntime.sh

deps: ## install the Debian packages the tests need (mosquitto, wabt, clang + wasi-libc, node, docker-compose)
	./scripts/install-deps.sh

guests: deps $(GUESTS) ## compile the test guests (C, Rust, WAT → wasm32-wasi) into build/guests/

$(BUILD)/guests/%.wasm: tests/guests/%.c
	@mkdir -p $(@D)
	$(WASI_CC) $< -o $@

$(BUILD)/guests/%.wasm: tests/guests/%.wat
	@mkdir -p $(@D)
	wat2wasm $< -o $@

# Debian's rustc has the wasm32-wasi std; a rustup toolchain earlier on PATH may not, hence the full path.
$(BUILD)/guests/%.wasm: tests/guests/%.rs
	@mkdir -p $(@D)
	$(WASI_RUSTC) $< -o $@

examples: deps $(NN_GUESTS) $(NN_EXAMPLE)/fixture/model.onnx ## build the wasi-nn example guests and fetch/write their fixture (model + tensors)

$(BUILD)/examples/wasi-nn/classification-c.wasm: $(NN_EXAMPLE)/classification.c
	@mkdir -p $(@D)
	$(WASI_CC) -Wall -Wextra -Werror $< -o $@

$(BUILD)/examples/wasi-nn/classification-rust.wasm: $(NN_EXAMPLE)/classification.rs
	@mkdir -p $(@D)
	$(WASI_RUSTC) -D warnings $< -o $@

$(NN_EXAMPLE)/fixture/model.onnx: $(NN_EXAMPLE)/fixture.sh $(NN_EXAMPLE)/make-tensor.mjs
	$(NN_EXAMPLE)/fixture.sh
	@touch $@

run: all ## start the manager (embedded MQTT broker, SQLite in data/) and one proplet; Ctrl-C stops them
	./scripts/run-local.sh

test: deps all guests examples ## install what the tests need, build, and run every test
	$(DOTNET) test Propeller.sln -c $(CONFIGURATION) --no-build --nologo

docs-check: deps all guests examples ## run every command of README.md and docs/*.md against a live manager (also part of make test)
	$(DOTNET) test tests/Propeller.IntegrationTests -c $(CONFIGURATION) --no-build --nologo --filter FullyQualifiedName~DocsCommands

bench: deps all guests examples ## run every benchmark, rewrite docs/benchmarks.md's figures; BENCH="mqtt scale" runs some, QUICK=1 a pass under 3 min that only prints
	$(DOTNET) run --project tests/Propeller.Benchmarks -c $(CONFIGURATION) --no-build -- $(if $(QUICK),--quick) $(BENCH)

clean: ## remove build outputs (keeps data/)
	rm -rf $(BUILD)
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
