#!/usr/bin/env bash
# Cold start through the project's local Functions host: worker process start to the first 200 from
# GET /api/v1.0/protected (valid access token), median over RUNS fresh workers per variant, variants
# interleaved run by run. Publishes the app three times (Release, private artifacts paths): as
# configured (ASP.NET Core integration, ReadyToRun), with ReadyToRun off, and in the built-in HTTP
# model (-p:FunctionsHttpModel=BuiltIn, ReadyToRun), and measures each with the local key and with
# the first Key Vault fetch (the tests' HTTPS Key Vault stand-in, reached through HTTPS_PROXY).
#   bench/coldstart.sh            RUNS=9 bench/coldstart.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
artifacts="${BENCH_ARTIFACTS:-/tmp/bench-artifacts}"
runs="${RUNS:-9}"
work="$(mktemp -d /tmp/jwtfunctions-coldstart.XXXXXX)"
trap 'rm -rf "$work"' EXIT
dotnet build bench/ColdStart/ColdStart.csproj -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
dotnet publish src/Functions/Functions.csproj -c Release -o "$work/r2r" --artifacts-path "$artifacts/publish" -nologo -v:q -clp:ErrorsOnly
dotnet publish src/Functions/Functions.csproj -c Release -p:PublishReadyToRun=false -o "$work/jit" --artifacts-path "$artifacts/publish-jit" -nologo -v:q -clp:ErrorsOnly
dotnet publish src/Functions/Functions.csproj -c Release -p:FunctionsHttpModel=BuiltIn -o "$work/builtin" --artifacts-path "$artifacts/publish-BuiltIn" -nologo -v:q -clp:ErrorsOnly
tool="$artifacts/bin/ColdStart/release/JwtFunctions.ColdStart.dll"
echo "== cold start, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ) =="
for source in "" "--key-vault"; do
  label="${source:+key-vault}"
  label="${label:-local-key}"
  dotnet "$tool" --runs "$runs" $source \
    --variant "$label/AspNetCore/no-ReadyToRun=$work/jit" \
    --variant "$label/AspNetCore/ReadyToRun=$work/r2r" \
    --variant "$label/BuiltIn/ReadyToRun=$work/builtin" | grep median
done
