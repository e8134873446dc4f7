# aks-cilium: the commands a developer and CI use. `make test` is the one test
# command; it builds the tools it needs first (cached outside the clone).
SHELL := bash

# The azure-native SDK modules (and np-guard, a test oracle) are absent from
# the public checksum database; go.sum pins them instead.
export GONOSUMDB := github.com/pulumi/pulumi-azure-native-sdk,github.com/np-guard

# Built tools live outside the clone, keyed by tool and version (tools/build.sh).
TOOLS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/aks-cilium/tools
export TOOLS_CACHE
PULUMI_VERSION := $(shell awk '$$1 == "github.com/pulumi/pulumi/pkg/v3" {print $$2; exit}' tools/pulumi/go.mod)
CILIUM_VERSION := $(shell awk -F= '$$1 == "cilium_version" {print $$2; exit}' tools/build.sh)
KUBE_VERSION := $(shell awk '$$1 == "k8s.io/kubernetes" {print $$2; exit}' tools/kubernetes/go.mod)
AZURITE_VERSION := $(shell awk -F'"' '$$2 == "azurite" {print $$4; exit}' tools/azurite/package.json)
# Tests find the tools through these variables.
export AKS_CILIUM_PULUMI := $(TOOLS_CACHE)/pulumi-$(PULUMI_VERSION)/bin/pulumi
export KUBEBUILDER_ASSETS := $(TOOLS_CACHE)/kubernetes-$(KUBE_VERSION)
export AKS_CILIUM_CRDS := $(TOOLS_CACHE)/cilium-crds-$(CILIUM_VERSION)
# node_modules of examples/typescript/package-lock.json (the TypeScript SDK test).
export AKS_CILIUM_NODE_MODULES := $(TOOLS_CACHE)/node-modules-$(shell sha256sum examples/typescript/package-lock.json | cut -c1-12)/node_modules
export AKS_CILIUM_AZURITE := $(TOOLS_CACHE)/azurite-$(AZURITE_VERSION)/node_modules/.bin/azurite-blob

GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: all tools test vet bench fuzz demo docs-img schema

all: test

## tools: build (once) the pulumi CLI, kube-apiserver and etcd, the language hosts, node_modules, Azurite (npm); prints where they are
tools:
	@bash tools/build.sh

## schema: regenerate provider/schema.json from the Go types and their doc comments
schema:
	go generate ./provider

## vet: go vet and a gofmt check
vet:
	@test -z "$$(gofmt -l components stacks examples automation sim cmd internal provider 2>/dev/null)" || { echo "gofmt needed:"; gofmt -l components stacks examples automation sim cmd internal provider; exit 1; }
	go vet ./...

## test: the tools, vet, then every test (unit, mocks, real kube-apiserver).
## A test that needs a tool fails here when the tool is missing, never skips.
test: tools vet
	AKS_CILIUM_REQUIRE_TOOLS=1 go test $(GO_TEST_FLAGS) ./...

## bench: benchmarks, reported as ratios against baselines measured in the same run
bench: tools
	go test -run '^$$' -bench . -benchmem -count 1 ./...
	bash tools/buildbench.sh

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	go test -run '^$$' -fuzz FuzzDecodeAndValidate -fuzztime $(FUZZTIME) ./components/spec
	go test -run '^$$' -fuzz FuzzParseCIDR -fuzztime $(FUZZTIME) ./components/spec

## demo: plan the three stack configs offline (and write the vnet stack's plan page, bin/plan-vnet.html)
## and show a broken spec's errors, then the automation
## engine end to end against the SIMULATED Azure in a temporary folder (the baseline policies go to a
## real local kube-apiserver through kubesim): preview, up, no-op preview, a change with its diff and
## PR comment, a replacing change refused by the guardrail, destroy; then the YAML stack repo
## (examples/yaml) as pulumi CLI commands through the YAML language host and the component plugin,
## and a YAML program's bad spec. No credentials, no cloud.
demo: tools
	@mkdir -p bin && go build -o bin/plan ./examples/plan && go build -o bin/platform ./cmd/platform
	bin/plan stacks/Pulumi.overlay.yaml stacks/Pulumi.vnet.yaml stacks/Pulumi.nodesubnet.yaml
	bin/plan --html bin/plan-vnet.html stacks/Pulumi.vnet.yaml
	@echo "--- a spec with common mistakes: every problem at once, before anything is created:"
	@! bin/plan examples/plan/invalid.yaml
	@echo "--- the automation engine end to end, against the SIMULATED Azure (nothing is sent to Azure):"
	bin/platform demo
	@mkdir -p bin/plugins && go build -o bin/plugins/pulumi-resource-aks-cilium ./cmd/pulumi-resource-aks-cilium \
		&& go build -o bin/plugins/pulumi-resource-azure-native ./sim/azuresim/cmd/pulumi-resource-azure-native \
		&& go build -o bin/yaml-demo ./examples/yaml/demo
	@echo "--- the YAML stack repo (examples/yaml) with the pulumi CLI, the YAML language host and the aks-cilium plugin, against the SIMULATED Azure:"
	bin/yaml-demo -plugins bin/plugins

## docs-img: regenerate the README's address map (docs/img/address-map-vnet.png) of stacks/Pulumi.vnet.yaml,
## with the browser test's headless Chromium; the test writes every page's screenshot to bin/screenshots
docs-img: tools
	AKS_CILIUM_REQUIRE_TOOLS=1 AKS_CILIUM_SCREENSHOTS=$(CURDIR)/bin/screenshots go test -count=1 -run 'TestPlanPageInChromium/vnet' ./components/planview
	@mkdir -p docs/img && cp bin/screenshots/address-map-vnet.png docs/img/address-map-vnet.png && echo "wrote docs/img/address-map-vnet.png"
