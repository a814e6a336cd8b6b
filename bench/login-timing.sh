#!/usr/bin/env bash
# The three refused-login timings side by side (wrong password, unknown username, locked
# account), interleaved, through AccountService on an in-memory Azurite:
#   bench/login-timing.sh        # 40 rounds
#   bench/login-timing.sh 100    # more rounds
# Builds bench/Benchmarks (Release, private artifacts path) as micro.sh does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
artifacts="${BENCH_ARTIFACTS:-/tmp/bench-artifacts}"
[ -f node_modules/azurite/dist/src/table/main.js ] || { echo "login-timing.sh: run 'npm ci' first (Azurite)." >&2; exit 1; }
dotnet build bench/Benchmarks/Benchmarks.csproj -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
dotnet "$artifacts/bin/Benchmarks/release/JwtFunctions.Benchmarks.dll" --login-timing "${1:-40}"
