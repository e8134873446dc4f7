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
#
# Idempotent: a tool whose binary is cached is not rebuilt. Each binary is
# written to a temporary name and renamed, so an interrupted build never
# leaves a broken cached binary. TOOLS_CACHE overrides the cache folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aks-cilium/tools}

# Versions come from the tools' own go.mod files: one place to bump them.
pulumi_version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" {print $2; exit}' "$here/pulumi/go.mod")
kube_version=$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$here/kubernetes/go.mod")
kube_minor=${kube_version#v1.}
kube_minor=${kube_minor%%.*}

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

pulumi_dir=$cache/pulumi-$pulumi_version
build "pulumi $pulumi_version" "$pulumi_dir/pulumi" "$here/pulumi" \
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

"$pulumi_dir/pulumi" version >/dev/null # fails loudly if the version flag is missing
echo "tools: AKS_CILIUM_PULUMI=$pulumi_dir/pulumi ($("$pulumi_dir/pulumi" version))"
echo "tools: KUBEBUILDER_ASSETS=$kube_dir ($("$kube_dir/kube-apiserver" --version))"
