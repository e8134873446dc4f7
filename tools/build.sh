#!/usr/bin/env bash
# Builds the project's tools from the Go module proxy, once per version, into
# a cache outside the clone, and prints what it built (or found) and where.
#
#   pulumi          the real Pulumi CLI (tools/pulumi/go.mod), with the version
#                   -X flag: without it `pulumi version` is empty and the
#                   Automation API refuses the binary.
#   kube-apiserver  a real API server and etcd (tools/kubernetes/go.mod), with
#   etcd            the component-base version flags, laid out as an envtest
#                   KUBEBUILDER_ASSETS folder.
#   cilium CRDs     the CustomResourceDefinitions YAML shipped in the cilium
#                   module (cilium.io/v2 and v2alpha1), so tests validate
#                   Cilium policies against Cilium's real schema.
#   pulumi-language-yaml
#                   the real YAML language host (tools/languages/go.mod:
#                   pulumi-yaml with its own pinned pulumi), linked beside
#                   the pulumi binary, where the CLI looks for its bundled
#                   language hosts.
#   pulumi-language-{nodejs,python,go,dotnet}
#                   codegen-only hosts (tools/langhost) so that `pulumi
#                   package gen-sdk` works offline; they run no program.
#                   Linked beside pulumi too.
#   node_modules    `npm ci` of examples/typescript/package-lock.json
#                   (@pulumi/pulumi and typescript), keyed by the lockfile.
#   azurite         Microsoft's Azure Storage emulator (npm), installed with
#                   `npm ci` from the committed lockfile tools/azurite, for
#                   the tests of state in Azure Blob Storage (azblob://).
#                   Needs node and npm; without them it is skipped with a
#                   note (the tests that need it then fail under
#                   AKS_CILIUM_REQUIRE_TOOLS=1).
#
# Idempotent: a tool whose binary is cached is not rebuilt. Each binary is
# written to a temporary name and renamed (links too), so an interrupted build
# never leaves a broken cached tool. TOOLS_CACHE overrides the cache folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aks-cilium/tools}

# Versions come from the tools' own go.mod files: one place to bump them.
pulumi_version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" {print $2; exit}' "$here/pulumi/go.mod")
kube_version=$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$here/kubernetes/go.mod")
kube_minor=${kube_version#v1.}
kube_minor=${kube_minor%%.*}
yaml_version=$(awk '$1 == "github.com/pulumi/pulumi-yaml" {print $2; exit}' "$here/languages/go.mod")
yaml_pkg_version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" {print $2; exit}' "$here/languages/go.mod")

# build NAME DEST MODULE_DIR PACKAGE [LDFLAGS]
build() {
	local name=$1 dest=$2 dir=$3 pkg=$4 ldflags=${5:-}
	if [[ -x $dest ]]; then
		echo "tools: $name cached at $dest"
		return
	fi
	echo "tools: building $name from $dir (a cold build takes several minutes on 2 cores) ..."
	mkdir -p "$(dirname "$dest")"
	local start=$SECONDS
	(cd "$dir" && go build -trimpath -o "$dest.tmp.$$" -ldflags "$ldflags" "$pkg")
	mv "$dest.tmp.$$" "$dest"
	echo "tools: built $name in $((SECONDS - start))s at $dest"
}

# The Automation API's NewPulumiCommand takes a root folder holding bin/pulumi.
pulumi_dir=$cache/pulumi-$pulumi_version
build "pulumi $pulumi_version" "$pulumi_dir/bin/pulumi" "$here/pulumi" \
	github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
	"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version"

kube_dir=$cache/kubernetes-$kube_version
build "kube-apiserver $kube_version" "$kube_dir/kube-apiserver" "$here/kubernetes" \
	k8s.io/kubernetes/cmd/kube-apiserver \
	"-X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$kube_minor -X k8s.io/component-base/version.gitTreeState=clean"
build "etcd (from the kube-apiserver module graph)" "$kube_dir/etcd" "$here/kubernetes" go.etcd.io/etcd/server/v3
# envtest looks for kubectl beside the others; link one when the machine has it.
if [[ ! -e $kube_dir/kubectl ]] && command -v kubectl >/dev/null; then
	ln -s "$(command -v kubectl)" "$kube_dir/kubectl"
fi

# Cilium's CRDs come from its module zip (no code of it is built or imported).
cilium_version=v1.17.6
crd_dir=$cache/cilium-crds-$cilium_version
if [[ -f $crd_dir/v2/ciliumnetworkpolicies.yaml ]]; then
	echo "tools: cilium CRDs $cilium_version cached at $crd_dir"
else
	echo "tools: fetching cilium $cilium_version from the Go module proxy for its CRDs ..."
	src=$(cd "$(mktemp -d)" && go mod download -json "github.com/cilium/cilium@$cilium_version" | awk -F'"' '$2 == "Dir" {print $4}')
	mkdir -p "$crd_dir.tmp.$$"
	cp -r "$src/pkg/k8s/apis/cilium.io/client/crds/v2" "$src/pkg/k8s/apis/cilium.io/client/crds/v2alpha1" "$crd_dir.tmp.$$/"
	chmod -R u+w "$crd_dir.tmp.$$"
	rm -rf "$crd_dir" && mv "$crd_dir.tmp.$$" "$crd_dir"
	echo "tools: cilium CRDs at $crd_dir"
fi

# Headless Chromium, for the browser tests of the plan page (components/planview):
# Debian's chromium package. As root (CI runs .ci/run as root on a clean machine)
# it is installed with apt-get; otherwise this says how, and the tests fail under
# make test. AKS_CILIUM_CHROMIUM names another binary.
chromium=${AKS_CILIUM_CHROMIUM:-$(command -v chromium || true)}
if [[ -z $chromium && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
	echo "tools: installing Debian's chromium package (headless, for the plan page's browser tests) ..."
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
	chromium=$(command -v chromium)
fi
if [[ -n $chromium ]]; then
	echo "tools: chromium at $chromium"
else
	echo "tools: no chromium: the plan page's browser tests need it: apt-get install chromium (Debian), or set AKS_CILIUM_CHROMIUM" >&2
fi

# link NAME TARGET: an atomic symlink.
link() {
	ln -sfn "$2" "$1.tmp.$$"
	mv -Tf "$1.tmp.$$" "$1"
}

# Language hosts, linked beside pulumi: the CLI finds its bundled hosts there
# (a plugin install refuses them), as in a Pulumi install.
yaml_dir=$cache/pulumi-language-yaml-$yaml_version
build "pulumi-language-yaml $yaml_version (pulumi-yaml, on pulumi $yaml_pkg_version)" "$yaml_dir/pulumi-language-yaml" "$here/languages" \
	github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
	"-X github.com/pulumi/pulumi-yaml/pkg/version.Version=${yaml_version#v}"
link "$pulumi_dir/bin/pulumi-language-yaml" "$yaml_dir/pulumi-language-yaml"
# The codegen hosts are our code: key them by their source as well.
codegen_key=$(cat "$here"/langhost/*.go "$here"/pulumi/codegen/*.go "$here"/languages/codegen/*.go | sha256sum | cut -c1-12)
codegen_dir=$cache/codegen-hosts-$codegen_key
build "codegen-only language hosts for nodejs, python, go (pulumi/pkg $pulumi_version)" "$codegen_dir/codegen-$pulumi_version" "$here/pulumi" \
	./codegen "-X main.version=${pulumi_version#v}"
build "codegen-only language host for dotnet (pulumi/pkg $yaml_pkg_version)" "$codegen_dir/codegen-dotnet-$yaml_pkg_version" "$here/languages" \
	./codegen "-X main.version=${yaml_pkg_version#v}"
for lang in nodejs python go; do
	link "$pulumi_dir/bin/pulumi-language-$lang" "$codegen_dir/codegen-$pulumi_version"
done
link "$pulumi_dir/bin/pulumi-language-dotnet" "$codegen_dir/codegen-dotnet-$yaml_pkg_version"

# The TypeScript SDK test compiles against @pulumi/pulumi and typescript from
# npm, pinned by examples/typescript/package-lock.json.
lock=$here/../examples/typescript/package-lock.json
npm_dir=$cache/node-modules-$(sha256sum "$lock" | cut -c1-12)
if [[ -d $npm_dir/node_modules ]]; then
	echo "tools: node_modules (examples/typescript/package-lock.json) cached at $npm_dir"
elif ! command -v npm >/dev/null; then
	echo "tools: npm not found: the TypeScript SDK test needs Node 20+ and npm (make test fails without them)"
else
	echo "tools: npm ci of examples/typescript/package-lock.json (@pulumi/pulumi, typescript) ..."
	start=$SECONDS
	rm -rf "$npm_dir.tmp.$$" && mkdir -p "$npm_dir.tmp.$$"
	cp "$here/../examples/typescript/package.json" "$lock" "$npm_dir.tmp.$$/"
	(cd "$npm_dir.tmp.$$" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
	rm -rf "$npm_dir" && mv "$npm_dir.tmp.$$" "$npm_dir"
	echo "tools: npm ci in $((SECONDS - start))s at $npm_dir"
fi

# Azurite from npm, pinned by tools/azurite/package-lock.json; reinstalled
# when the lockfile changes.
azurite_version=$(awk -F'"' '$2 == "azurite" {print $4; exit}' "$here/azurite/package.json")
azurite_dir=$cache/azurite-$azurite_version
azurite_bin=$azurite_dir/node_modules/.bin/azurite-blob
if [[ -x $azurite_bin ]] && cmp -s "$here/azurite/package-lock.json" "$azurite_dir/package-lock.json"; then
	echo "tools: azurite $azurite_version cached at $azurite_dir"
elif ! command -v npm >/dev/null || ! command -v node >/dev/null; then
	echo "tools: azurite $azurite_version NOT installed: node and npm are needed (the azblob:// state tests need it)"
else
	echo "tools: installing azurite $azurite_version with npm ci from tools/azurite/package-lock.json ..."
	rm -rf "$azurite_dir.tmp.$$" && mkdir -p "$azurite_dir.tmp.$$"
	cp "$here/azurite/package.json" "$here/azurite/package-lock.json" "$azurite_dir.tmp.$$/"
	# Azurite 3.37.0 declares node >= 22; its blob service runs on node 20 (the engine warning is expected there).
	(cd "$azurite_dir.tmp.$$" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
	rm -rf "$azurite_dir" && mv "$azurite_dir.tmp.$$" "$azurite_dir"
	echo "tools: installed azurite at $azurite_dir"
fi

"$pulumi_dir/bin/pulumi" version >/dev/null # fails loudly if the version flag is missing
echo "tools: AKS_CILIUM_PULUMI=$pulumi_dir/bin/pulumi ($("$pulumi_dir/bin/pulumi" version))"
echo "tools: KUBEBUILDER_ASSETS=$kube_dir ($("$kube_dir/kube-apiserver" --version))"
echo "tools: AKS_CILIUM_CRDS=$crd_dir"
echo "tools: language hosts beside pulumi: yaml $yaml_version (real), nodejs python go dotnet (codegen only)"
echo "tools: AKS_CILIUM_NODE_MODULES=$npm_dir/node_modules"
if [[ -x $azurite_bin ]]; then
	echo "tools: AKS_CILIUM_AZURITE=$azurite_bin (azurite $("$azurite_bin" --version))"
fi
