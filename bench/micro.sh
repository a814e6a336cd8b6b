#!/usr/bin/env bash
# Builds bench/Benchmarks (Release, private artifacts path: nothing is written next to the
# src/Functions bin/obj other engineers use) and runs the micro benchmarks in-process, then the
# storage-request proof. BenchmarkDotNet's tables are followed by the ratio summary:
#   bench/micro.sh                          # everything (a few minutes)
#   bench/micro.sh --filter '*Token*'       # one area: *Token*, *Middleware*, *Login*, *Refresh*
# Azurite (in memory, a free port on 127.0.0.1) is started and stopped by the benchmarks themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
artifacts="${BENCH_ARTIFACTS:-/tmp/bench-artifacts}"
[ -f node_modules/azurite/dist/src/table/main.js ] || { echo "micro.sh: run 'npm ci' first (Azurite)." >&2; exit 1; }
dotnet build bench/Benchmarks/Benchmarks.csproj -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
dll="$artifacts/bin/Benchmarks/release/JwtFunctions.Benchmarks.dll"
results="$(mktemp -d /tmp/jwtfunctions-bench.XXXXXX)"
if [ $# -eq 0 ]; then set -- --filter '*'; fi
(cd "$results" && dotnet "$dll" "$@")
dotnet "$dll" --storage-proof 10000
dotnet "$dll" --hashing-proof
echo "BenchmarkDotNet reports: $results/BenchmarkDotNet.Artifacts/results"
