#!/usr/bin/env bash
# One instance's revocation reload with a long history, before (f6b220e's layout and reader) and
# after (expiry buckets): wall time, requests and response bytes per reload (bench/README.md).
#   bench/revocation.sh                 # 100,000 historical + 1,000 live rows
#   bench/revocation.sh 20000 500       # other sizes
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
artifacts="${BENCH_ARTIFACTS:-/tmp/bench-artifacts}"
[ -f node_modules/azurite/dist/src/table/main.js ] || { echo "revocation.sh: run 'npm ci' first (Azurite)." >&2; exit 1; }
dotnet build bench/Benchmarks/Benchmarks.csproj -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
dotnet "$artifacts/bin/Benchmarks/release/JwtFunctions.Benchmarks.dll" --revocation-reload "${1:-100000}" "${2:-1000}"
