#!/usr/bin/env bash
# Build-time benchmark: one example (examples/overlay) against a probe program
# that imports only the same SDK packages (tools/buildprobe), cold (an empty
# Go build cache) and warm (the same build again, cache filled: the relink a
# developer waits for). The ratio
# example/probe is the overhead of our own code: close to 1.0 means we import
# one API version per resource and nothing heavy besides.
set -euo pipefail
cd "$(dirname "$0")/.."
example=${BUILDBENCH_EXAMPLE:-./examples/overlay}
probe=./tools/buildprobe
out=$(mktemp -d)
trap 'chmod -R u+w "$out"; rm -rf "$out"' EXIT

seconds() { # seconds CACHE PKG: wall time of one go build, in seconds
	local start end
	start=$(date +%s%N)
	GOCACHE=$1 go build -o "$out/bin" "$2"
	end=$(date +%s%N)
	awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}

echo "buildbench: cold builds (empty GOCACHE each; several minutes) ..."
cold_probe=$(seconds "$out/cache-probe" "$probe")
cold_example=$(seconds "$out/cache-example" "$example")
warm_probe=$(seconds "$out/cache-probe" "$probe")
warm_example=$(seconds "$out/cache-example" "$example")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf 'buildbench: %-5s probe %7.1fs  example %7.1fs  ratio %s\n' \
	cold "$cold_probe" "$cold_example" "$(ratio "$cold_example" "$cold_probe")" \
	warm "$warm_probe" "$warm_example" "$(ratio "$warm_example" "$warm_probe")"
