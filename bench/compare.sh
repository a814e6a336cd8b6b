#!/usr/bin/env bash
# End-to-end comparison on loopback: GET /api/v1.0/protected with a valid access token, with wrk,
# against (1) JwtFunctions published (Release, ReadyToRun) running in its real isolated worker under
# the project's local Functions host (tools/FunctionsHost), with a private in-memory Azurite, in
# both HTTP models: ASP.NET Core integration (the app's model: the host proxies the request to the
# worker's own server) and the built-in model (-p:FunctionsHttpModel=BuiltIn: the request travels
# inside the gRPC invocation); (2) the platform floor in both models: bench/EmptyApp, one anonymous
# function with the same answer and no token check, under the same local host and worker runtime;
# and (3) the seed: bench/seed_app.py (Flask + flask-jwt-extended) under gunicorn with 2 workers.
# Every server binds 127.0.0.1; every wrk run is bounded (DURATION, default 10s); every process
# started here is stopped on exit (trap).
#
#   bench/compare.sh                 # 1, 16 and 64 connections, 10 s each, every service
#   DURATION=5s CONNECTIONS="16" WARMUP=3s bench/compare.sh
#   ALGORITHMS="HS256 ES256" MODELS=AspNetCore bench/compare.sh   # the app once per algorithm, side by side
#
# ALGORITHMS (default HS256; any of HS256 HS384 HS512 ES256 RS256) starts the app once per
# algorithm and model, each with a fresh key of its kind (ES256 / RS256: a PEM from openssl genpkey,
# the issuer a loopback URL as those algorithms require); rows read "app <alg>, <model>". MODELS
# (default "AspNetCore BuiltIn") limits the HTTP models published and measured.
#
# PROFILE=1 also records each worker with `perf record` (999 Hz, call stacks) during its measured
# run, both the app's and the floor's, and attributes the app's samples (bench/cpu_profile.py): the
# token service's validation in that same process and run, so the summary can set the app's
# marginal worker CPU per request against the token check's own cost (issue 17's bar: at most 2x).
# The workers then run with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0, app and
# floor alike (perf needs both to name JIT frames). Needs Debian's linux-perf.
#
# REPLICAS=n (1-9, default 1) starts n processes of every app and of every floor; round r measures
# the r-th pairing of them. Two processes of the same build differ by 4-15 µs/req here, persistently
# (a floor against a second floor, PAIRED=1, 2026-12-01), as much as the app's marginal: medians
# over several processes average that out.
#
# PAIRED=1 drives each app and the floor of its model at the same time (two wrk, each with the row's
# connection count; the seed is left out), so both see the same moments of this shared machine: run
# one after the other, the same service's worker µs/req moves by 10-20% between runs a minute apart,
# more than the app's whole marginal cost. Several rounds (CONNECTIONS="16 16 16 16 16") give medians.
#
#   PAIRED=1 PROFILE=1 ALGORITHMS=HS256 MODELS=AspNetCore CONNECTIONS="16 16 16 16 16 16 16" DURATION=8s bench/compare.sh
#
# Needs: dotnet, node (the repository's Azurite: npm ci), wrk, gunicorn, python3-flask and
# python3-python-flask-jwt-extended (Debian: apt-get install wrk gunicorn python3-flask python3-python-flask-jwt-extended).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-1 16 64}"
algorithms="${ALGORITHMS:-HS256}"
models="${MODELS:-AspNetCore BuiltIn}"
profile="${PROFILE:-0}"
paired="${PAIRED:-0}"
replicas="${REPLICAS:-1}"
case "$replicas" in [1-9]) ;; *) echo "compare.sh: REPLICAS must be 1 to 9." >&2; exit 1 ;; esac
# Replica k of a service is named "<service>" for k = 1, "<service>~k" after.
replica() { [ "$2" = 1 ] && echo "$1" || echo "$1~$2"; }
perf_frequency=999
for alg in $algorithms; do
  case "$alg" in HS256|HS384|HS512|ES256|RS256) ;; *) echo "compare.sh: ALGORITHMS: '$alg' is not one of HS256 HS384 HS512 ES256 RS256." >&2; exit 1 ;; esac
done
for model in $models; do
  case "$model" in AspNetCore|BuiltIn) ;; *) echo "compare.sh: MODELS: '$model' is not AspNetCore or BuiltIn." >&2; exit 1 ;; esac
done
work="$(mktemp -d /tmp/jwtfunctions-compare.XXXXXX)"
artifacts="${BENCH_ARTIFACTS:-/tmp/bench-artifacts}"

pids=()
cleanup() {
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  cp "$work"/host-*.log /tmp/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in dotnet node wrk gunicorn curl python3 openssl; do
  command -v "$tool" >/dev/null || { echo "compare.sh: '$tool' is required." >&2; exit 1; }
done
profile_env=()
if [ "$profile" = 1 ]; then
  command -v perf >/dev/null || { echo "compare.sh: PROFILE=1 needs perf (Debian: apt-get install linux-perf)." >&2; exit 1; }
  profile_env=(--env DOTNET_PerfMapEnabled=1 --env DOTNET_EnableWriteXorExecute=0)
fi
[ -f node_modules/azurite/dist/src/table/main.js ] || { echo "compare.sh: run 'npm ci' first (Azurite)." >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port, pid
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

echo "== building the local host and publishing the apps in the HTTP models $models (Release, ReadyToRun) =="
dotnet build tools/FunctionsHost/FunctionsHost.csproj -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
for model in $models; do
  dotnet publish src/Functions/Functions.csproj -c Release -p:FunctionsHttpModel=$model -o "$work/app-$model" \
    --artifacts-path "$artifacts/publish-$model" -nologo -v:q -clp:ErrorsOnly
  dotnet publish bench/EmptyApp/EmptyApp.csproj -c Release -p:FunctionsHttpModel=$model -o "$work/empty-$model" \
    --artifacts-path "$artifacts/publish-$model" -nologo -v:q -clp:ErrorsOnly
done
host_dll="$artifacts/bin/FunctionsHost/release/JwtFunctions.FunctionsHost.dll"

azurite_port="$(free_port)"
node node_modules/azurite/dist/src/table/main.js --tableHost 127.0.0.1 --tablePort "$azurite_port" \
  --inMemoryPersistence --skipApiVersionCheck --disableProductStyleUrl --disableTelemetry --silent &
pids+=("$!")
wait_port "$azurite_port" "${pids[-1]}" || { echo "Azurite did not start." >&2; exit 1; }

storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"
echo '{"IsEncrypted":false,"Values":{}}' > "$work/local.settings.json"
declare -A port host_pid
start_host() { # name app-folder [--env ...]; uses port[name] when already chosen
  local name="$1" folder="$2"; shift 2
  port[$name]="${port[$name]:-$(free_port)}"
  dotnet "$host_dll" --app "$folder" --port "${port[$name]}" --settings "$work/local.settings.json" "${profile_env[@]}" "$@" > "$work/host-$name.log" 2>&1 &
  pids+=("$!")
  host_pid[$name]="$!"
  wait_port "${port[$name]}" "$!" || { echo "The local Functions host ($name) did not start:" >&2; tail -20 "$work/host-$name.log" >&2; exit 1; }
}
# One key per algorithm, shared by its models (so one token serves both); ES256 / RS256 need an
# issuer URL: the loopback address of the algorithm's first app.
first_model="${models%% *}"
for alg in $algorithms; do
  case "$alg" in
    HS256) key="$(openssl rand -base64 32)" ;;
    HS384) key="$(openssl rand -base64 48)" ;;
    HS512) key="$(openssl rand -base64 64)" ;;
    ES256) key="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null)" ;;
    RS256) key="$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 2>/dev/null)" ;;
  esac
  port[app-$alg-$first_model]="$(free_port)"
  issuer=()
  case "$alg" in ES256|RS256) issuer=(--env "Jwt__Issuer=http://127.0.0.1:${port[app-$alg-$first_model]}/api") ;; esac
  for model in $models; do
    for k in $(seq 1 "$replicas"); do
      start_host "$(replica "app-$alg-$model" "$k")" "$work/app-$model" --env "AzureWebJobsStorage=$storage" --env "SigningKeys__LocalKey=$key" \
        --env "Jwt__Algorithm=$alg" "${issuer[@]}" --env "Accounts__RegistrationEnabled=true"
    done
  done
done
for model in $models; do
  for k in $(seq 1 "$replicas"); do start_host "$(replica "empty-$model" "$k")" "$work/empty-$model"; done
done

seed_port="$(free_port)"
JWT_SECRET_KEY="$(openssl rand -hex 32)" gunicorn -w 2 -b "127.0.0.1:$seed_port" --chdir "$root/bench" \
  --log-level warning seed_app:app > "$work/seed.log" 2>&1 &
pids+=("$!")
wait_port "$seed_port" "${pids[-1]}" || { echo "gunicorn did not start:" >&2; tail -20 "$work/seed.log" >&2; exit 1; }

# Tokens the ordinary way: register + log in (JwtFunctions: one store; one login per algorithm, its
# token accepted by that algorithm's app in every model), log in (seed).
declare -A app_token
registered=""
for alg in $algorithms; do
  app_port="${port[app-$alg-$first_model]}"
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$app_port/api/health")" = 200 ] && break
    sleep 0.1
  done
  if [ -z "$registered" ]; then
    curl -sf "http://127.0.0.1:$app_port/api/v1.0/register" -H 'Content-Type: application/json' \
      -d '{"username":"benchuser","password":"correct horse battery staple"}' > /dev/null
    registered=1
  fi
  app_token[$alg]="$(curl -sf "http://127.0.0.1:$app_port/api/v1.0/login" -H 'Content-Type: application/json' \
    -d '{"username":"benchuser","password":"correct horse battery staple"}' | json_field access_token)"
  echo "$alg token header: $(cut -d. -f1 <<< "${app_token[$alg]}" | tr '_-' '/+' | base64 -d 2>/dev/null || true)"
done
seed_token="$(curl -sf "http://127.0.0.1:$seed_port/api/v1.0/login" -H 'Content-Type: application/json' \
  -d '{"username":"benchuser"}' | json_field access_token)"
targets=()
for alg in $algorithms; do
  for model in $models; do targets+=("${port[app-$alg-$model]} ${app_token[$alg]}"); done
done
for target in "${targets[@]}" "$seed_port $seed_token"; do
  set -- $target
  body="$(curl -sf "http://127.0.0.1:$1/api/v1.0/protected" -H "Authorization: Bearer $2")"
  echo "check 127.0.0.1:$1/api/v1.0/protected -> $body"
done
for model in $models; do
  body="$(curl -sf "http://127.0.0.1:${port[empty-$model]}/api/v1.0/empty")"
  echo "check 127.0.0.1:${port[empty-$model]}/api/v1.0/empty -> $body"
done

cpu_ticks() { # pids... -> utime+stime clock ticks, summed
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$(( total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat") ))
  done
  echo "$total"
}

# A worker is `dotnet <app folder>/<app>.dll`, the host's child (or grandchild, through watchdog.sh):
# apps of several algorithms and the replicas of one service run the same folder.
worker_under() { # host-pid dll
  local child
  for child in $(pgrep -P "$1"); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = dotnet ] && tr '\0' ' ' < "/proc/$child/cmdline" 2>/dev/null | grep -qF "$2"; then
      echo "$child"; return
    fi
    worker_under "$child" "$2"
  done
}
declare -A worker_pid
for model in $models; do
  for k in $(seq 1 "$replicas"); do
    for alg in $algorithms; do
      name="$(replica "app-$alg-$model" "$k")"
      worker_pid[$name]="$(worker_under "${host_pid[$name]}" "$work/app-$model/JwtFunctions.dll" | head -1)"
    done
    name="$(replica "empty-$model" "$k")"
    worker_pid[$name]="$(worker_under "${host_pid[$name]}" "$work/empty-$model/JwtFunctions.EmptyApp.dll" | head -1)"
  done
done
seed_pids="$(pgrep -f "seed_app:app" | tr '\n' ' ')"
hz="$(getconf CLK_TCK)"

# One measured run of one or more targets at once, each "label|port|token|path|host-pid|worker-pid"
# (the pids empty for the seed), each driven by its own wrk with connections c; one row per target.
# Targets measured together share the machine's moments, so a slow spell hits both (PAIRED=1).
measure() { # connections target...
  local c="$1"; shift
  local threads=$(( c < 2 || $# > 1 ? 1 : 2 )) i target
  local -a labels ports tokens paths hpids wpids perfs before_host before_worker running
  i=0
  for target in "$@"; do
    IFS='|' read -r "labels[i]" "ports[i]" "tokens[i]" "paths[i]" "hpids[i]" "wpids[i]" <<< "$target"
    i=$((i + 1))
  done
  # Warm-up (JIT, connection pools), bounded, not reported.
  running=()
  for i in "${!labels[@]}"; do
    wrk -t "$threads" -c "$c" -d 2s -H "Authorization: Bearer ${tokens[i]}" "http://127.0.0.1:${ports[i]}${paths[i]}" > /dev/null &
    running+=("$!")
  done
  for i in "${running[@]}"; do wait "$i"; done
  for i in "${!labels[@]}"; do
    perfs[i]=""
    if [ "$profile" = 1 ] && [ -n "${wpids[i]}" ]; then
      perf record -q -F "$perf_frequency" -g -p "${wpids[i]}" -o "$work/perf-$i.data" 2> "$work/perf-$i.log" &
      perfs[i]="$!"
    fi
  done
  if [ "$profile" = 1 ]; then
    sleep 0.5
    for i in "${!labels[@]}"; do
      if [ -n "${perfs[i]}" ] && ! kill -0 "${perfs[i]}" 2>/dev/null; then
        echo "compare.sh: perf record did not start (as a user other than root it needs kernel.perf_event_paranoid <= 2):" >&2
        cat "$work/perf-$i.log" >&2
        exit 1
      fi
    done
  fi
  local before_seed
  before_seed="$(cpu_ticks $seed_pids)"
  for i in "${!labels[@]}"; do before_host[i]="$(cpu_ticks ${hpids[i]})"; before_worker[i]="$(cpu_ticks ${wpids[i]})"; done
  running=()
  for i in "${!labels[@]}"; do
    wrk -t "$threads" -c "$c" -d "$duration" --timeout 5s --latency -H "Authorization: Bearer ${tokens[i]}" \
      "http://127.0.0.1:${ports[i]}${paths[i]}" > "$work/wrk-$i.txt" &
    running+=("$!")
  done
  for i in "${running[@]}"; do wait "$i"; done
  local -a after_host after_worker
  local after_seed
  after_seed="$(cpu_ticks $seed_pids)"
  for i in "${!labels[@]}"; do after_host[i]="$(cpu_ticks ${hpids[i]})"; after_worker[i]="$(cpu_ticks ${wpids[i]})"; done
  for i in "${!labels[@]}"; do
    local profiled="" cpu worker_ticks=""
    if [ -n "${perfs[i]}" ]; then
      kill -INT "${perfs[i]}" 2>/dev/null || true
      wait "${perfs[i]}" || true
      local served
      served="$(awk '/ requests in /{ print $1 }' "$work/wrk-$i.txt")"
      if [ "${served:-0}" -gt 0 ] && [ -s "$work/perf-$i.data" ]; then
        profiled="$(perf script -i "$work/perf-$i.data" -F comm,tid,ip,sym,dso 2>/dev/null \
          | python3 "$root/bench/cpu_profile.py" "$perf_frequency" "$served")"
      fi
      rm -f "$work/perf-$i.data"
    fi
    if [ -n "${hpids[i]}" ]; then
      worker_ticks="$(( after_worker[i] - before_worker[i] ))"
      cpu="$(awk -v h="$(( after_host[i] - before_host[i] ))" -v w="$worker_ticks" -v hz="$hz" \
        'BEGIN { printf "host %.1f s, worker %.1f s", h / hz, w / hz }')"
    else
      cpu="$(awk -v g="$(( after_seed - before_seed ))" -v hz="$hz" 'BEGIN { printf "gunicorn %.1f s", g / hz }')"
    fi
    awk -v label="${labels[i]}" -v c="$c" -v cpu="$cpu${profiled:+; profile (µs/req) $profiled}" -v wticks="$worker_ticks" -v hz="$hz" '
      / requests in / { requests = $1 }
      /Requests\/sec:/ { rps = $2 }
      /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
      /Non-2xx or 3xx responses:/ { non2xx = $NF }
      /Socket errors:/ { errors = $0 }
      END {
        perRequest = (wticks != "" && requests > 0) ? sprintf("%.1f", 1e6 * wticks / hz / requests) : "-"
        printf "| %-40s | %3d | %10.0f | %8s | %8s | %8s | %s %s %s\n", label, c, rps, p50, p99, perRequest, cpu, (non2xx ? "non-2xx: " non2xx : ""), errors
      }
    ' "$work/wrk-$i.txt" | tee -a "$work/table.txt"
  done
}

# Every service gets the same warm-up before anything is reported: tiered JIT (the workers) and
# bytecode caches (Python) settle, connections are made.
warm=()
for alg in $algorithms; do
  for model in $models; do
    for k in $(seq 1 "$replicas"); do warm+=("${port[$(replica "app-$alg-$model" "$k")]} ${app_token[$alg]} /api/v1.0/protected"); done
  done
done
for model in $models; do
  for k in $(seq 1 "$replicas"); do warm+=("${port[$(replica "empty-$model" "$k")]} $seed_token /api/v1.0/empty"); done
done
for target in "${warm[@]}" "$seed_port $seed_token /api/v1.0/protected"; do
  set -- $target
  wrk -t 2 -c 16 -d "${WARMUP:-5s}" -H "Authorization: Bearer $2" "http://127.0.0.1:$1$3" > /dev/null
done

echo
echo "== wrk $duration per run, GET /api/v1.0/protected (the floor: /api/v1.0/empty), algorithms: $algorithms, $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ) =="
echo "| service                                  |   c |   req/s    |   p50    |   p99    | worker µs/req | CPU used during the run"
echo "|------------------------------------------|-----|------------|----------|----------|----------|------------------------"
round=0
for c in $connections; do
  # Round r measures replica r of each service, then the next replica pairing (REPLICAS=3: app 1 with
  # floor 1, 2 with 2, 3 with 3, then 1 with 2, 2 with 3, ...), so medians cover several processes.
  app_k=$(( round % replicas + 1 )); floor_k=$(( (round % replicas + round / replicas) % replicas + 1 )); round=$((round + 1))
  for model in $models; do
    name="$(replica "empty-$model" "$floor_k")"
    floor_target="floor: empty function, $model|${port[$name]}|$seed_token|/api/v1.0/empty|${host_pid[$name]}|${worker_pid[$name]}"
    for alg in $algorithms; do
      name="$(replica "app-$alg-$model" "$app_k")"
      app_target="app $alg, $model|${port[$name]}|${app_token[$alg]}|/api/v1.0/protected|${host_pid[$name]}|${worker_pid[$name]}"
      if [ "$paired" = 1 ]; then
        measure "$c" "$app_target" "$floor_target"
      else
        measure "$c" "$app_target"
      fi
    done
    [ "$paired" = 1 ] || measure "$c" "$floor_target"
  done
  if [ "$paired" = 1 ]; then
    echo "| end of round" >> "$work/table.txt"
  else
    measure "$c" "seed (Flask, gunicorn -w 2)|$seed_port|$seed_token|/api/v1.0/protected||"
  fi
done

# Peak resident memory of each worker over the whole run (no logins beyond the one that made the
# token: protected-path memory only; Argon2id's per-login memory is measured by --hashing-proof).
for name in "${!worker_pid[@]}"; do
  pid="${worker_pid[$name]}"
  [ -r "/proc/$pid/status" ] && echo "worker $name: peak RSS $(awk '/^VmHWM:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status"), now $(awk '/^VmRSS:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status")"
done

# Per round (one pass over CONNECTIONS; a round ends with its seed row, or with PAIRED=1 its last pair), algorithm and HTTP model:
# JwtFunctions against the seed (the goal: at least 3x the seed's throughput with a lower p99),
# against the floor of the same model and round, and the app's marginal worker CPU per request
# (app worker µs/req - floor worker µs/req); with PROFILE=1, that marginal against the token check
# measured in the same worker and run. With several ALGORITHMS, each against the first one in the
# same model. A connection count measured in several rounds (CONNECTIONS="16 16 16") also gets the
# medians over its rounds: one round's floor moves by several µs/req.
awk -F'|' -v paired="$paired" '
  function tosec(s) { if (s ~ /us$/) return s / 1e6; if (s ~ /ms$/) return s / 1e3; if (s ~ /s$/) return s + 0; return s + 0 }
  function median(list, count,    i, j, v, a) {
    for (i = 1; i <= count; i++) a[i] = list[i]
    for (i = 2; i <= count; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v }
    return count % 2 ? a[(count + 1) / 2] : (a[count / 2] + a[count / 2 + 1]) / 2
  }
  BEGIN { r = 1 }
  # A row with non-2xx answers or socket errors measured something else: it cannot count.
  { gsub(/^ +| +$/, "", $2); c = $3 + 0; rps = $4 + 0; p99 = $6; gsub(/ /, "", p99); cpu = $7 + 0; bad = ($8 ~ /non-2xx|Socket errors/) }
  $2 ~ /^app / { m = $2; sub(/^app /, "", m); model = m; sub(/^[^,]*, /, "", model); alg = m; sub(/,.*$/, "", alg); modelOf[m] = model; algOf[m] = alg; if (!(model in baseAlg)) baseAlg[model] = alg; conns[r] = c; app[m, r] = rps; appp99[m, r] = tosec(p99); appcpu[m, r] = cpu; appbad[m, r] = bad; if (match($8, /token=[0-9.]+/)) apptoken[m, r] = substr($8, RSTART + 6, RLENGTH - 6) + 0; if (!((m, r) in seen)) { seen[m, r] = 1; order[++n] = m SUBSEP r }; if (!((m, c) in seenc)) { seenc[m, c] = 1; orderc[++nc] = m SUBSEP c } }
  $2 ~ /^app / { lastApp = m }
  # PAIRED=1: a floor row was measured at the same time as the app row just before it.
  $2 ~ /^floor: / { m = $2; sub(/^floor: empty function, /, "", m); if (!bad) { floor[m, r] = rps; floorcpu[m, r] = cpu; if (paired == 1 && lastApp != "" && modelOf[lastApp] == m) { pairrps[lastApp, r] = rps; paircpu[lastApp, r] = cpu } }; lastApp = "" }
  $2 ~ /^seed/ { seed[r] = rps; seedp99[r] = tosec(p99); seedbad[r] = bad; r++ }
  $2 ~ /^end of round/ { r++ }
  END {
    for (i = 1; i <= n; i++) {
      split(order[i], k, SUBSEP); m = k[1]; q = k[2]; c = conns[q]
      if (appbad[m, q] || seedbad[q]) { printf "%-10s c=%-3d INVALID: non-2xx answers or socket errors in a row above; no verdict\n", m, c; continue }
      md = modelOf[m]
      seedText = ""
      if ((q in seed) && seed[q] > 0) {
        ratio = app[m, q] / seed[q]
        seedText = sprintf("app / seed = %.2fx, p99 %.2f vs %.2f ms (goal >= 3x and lower p99: %s); ", ratio, appp99[m, q] * 1e3, seedp99[q] * 1e3, (ratio >= 3 && appp99[m, q] < seedp99[q]) ? "met" : "MISSED")
      }
      # PAIRED=1: only the floor measured beside this app counts, never one from another round or algorithm.
      hasFloor = ((m, q) in paircpu) || (paired != 1 && ((md, q) in floor))
      fcpu = ((m, q) in paircpu) ? paircpu[m, q] : floorcpu[md, q]
      frps = ((m, q) in paircpu) ? pairrps[m, q] : floor[md, q]
      floorText = hasFloor ? sprintf("app / floor = %.0f%%;%s app marginal worker CPU %.1f µs/req%s", 100 * app[m, q] / frps, seedText == "" ? "" : sprintf(" floor / seed = %.2fx;", frps / seed[q]), appcpu[m, q] - fcpu, ((m, q) in paircpu) ? " (floor measured at the same time)" : "") : "floor: n/a"
      if (hasFloor) { margins[m, c, ++rounds[m, c]] = appcpu[m, q] - fcpu }
      # PROFILE=1: the marginal against the token check measured in the same worker and run.
      if (hasFloor && ((m, q) in apptoken) && apptoken[m, q] > 0) {
        x = (appcpu[m, q] - fcpu) / apptoken[m, q]
        tokens[m, c, rounds[m, c]] = apptoken[m, q]; ratios[m, c, rounds[m, c]] = x; profiled[m, c]++
        floorText = floorText sprintf(", token check %.1f µs/req, marginal / token check = %.2fx (bar <= 2x: %s)", apptoken[m, q], x, x <= 2 ? "met" : "MISSED")
      }
      printf "%-18s c=%-3d %s%s\n", m, c, seedText, floorText
    }
    for (i = 1; i <= nc; i++) {
      split(orderc[i], k, SUBSEP); m = k[1]; c = k[2]; count = rounds[m, c]
      if (count < 2) continue
      delete list; for (j = 1; j <= count; j++) list[j] = margins[m, c, j]
      mm = median(list, count)
      text = sprintf("%-18s c=%-3d median of %d rounds: app marginal worker CPU %.1f µs/req", m, c, count, mm)
      # The token check only when every round of this count has one (PROFILE=1 and a profile each).
      if (profiled[m, c] == count) {
        delete list; for (j = 1; j <= count; j++) list[j] = tokens[m, c, j]; tm = median(list, count)
        delete list; for (j = 1; j <= count; j++) list[j] = ratios[m, c, j]; x = median(list, count)
        # Both summaries of the ratio; the verdict takes the larger.
        y = mm / tm
        text = text sprintf(", token check %.1f µs/req, marginal / token check %.2fx (median of the rounds), %.2fx (ratio of the medians) (bar <= 2x: %s)", tm, x, y, (x <= 2 && y <= 2) ? "met" : "MISSED")
      }
      print text
    }
    for (i = 1; i <= n; i++) {
      split(order[i], k, SUBSEP); m = k[1]; q = k[2]; c = conns[q]; base = baseAlg[modelOf[m]] ", " modelOf[m]
      if (base == m || !((base, q) in app) || app[base, q] == 0 || appbad[m, q] || appbad[base, q]) continue
      printf "%-18s c=%-3d %s / %s: throughput %.0f%%, worker %.1f vs %.1f µs/req (%+.1f)\n",
        m, c, algOf[m], baseAlg[modelOf[m]], 100 * app[m, q] / app[base, q], appcpu[m, q], appcpu[base, q], appcpu[m, q] - appcpu[base, q]
    }
  }' "$work/table.txt"
