#!/usr/bin/env bash
# Benchmarks the trigger flow on this machine, on 127.0.0.1 only:
#   1. text triggers (GraphQL triggerAgent) against the built server binary and
#      the LLM double (tools/llm-double, answering at once), with hey at fixed
#      request rates;
#   2. the LLM double alone at the same rates, the baseline of the overhead;
#   3. Go benchmarks of a voice trigger against a local livekit-server and of
#      the same LiveKit calls made directly (server/trigger/bench_test.go).
# Every load loop is bounded by BENCH_DURATION or by a fixed iteration count.
#
# Usage: scripts/bench.sh
# Settings (environment):
#   BENCH_DURATION   length of each hey run (default 20s)
#   BENCH_RATES      request rates in requests per second (default "200 500")
#   BENCH_VOICE_OPS  iterations of each voice Go benchmark (default 300)
#   BENCH_PROFILE    when 1, also profile BenchmarkTrigger_text (CPU) and print
#                    the top functions; the profile is $BENCH_OUT/cpu.pprof
#   BENCH_OUT        folder for raw outputs (default: a new temporary folder)
#   SIDEKICK_TEST_DATABASE_URL  maintenance DSN of the PostgreSQL server
#                    (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail

cd "$(dirname "$0")/.."

duration="${BENCH_DURATION:-20s}"
rates="${BENCH_RATES:-200 500}"
voice_ops="${BENCH_VOICE_OPS:-300}"
maintenance_dsn="${SIDEKICK_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
out="${BENCH_OUT:-$(mktemp -d -t sidekick-bench.XXXXXX)}"
mkdir -p "$out"

# Requests per second that one hey worker sends; the worker count follows
# from the rate.
per_worker_rate=10

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

install_missing() {
  local tool="$1" package="$2"
  command -v "$tool" >/dev/null 2>&1 && return 0
  log "installing $package (for $tool)"
  local sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y "$package" >&2
}
install_missing hey hey
install_missing psql postgresql-client
install_missing jq jq

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# dsn_for prints the DSN of database $1 on the maintenance server.
dsn_for() {
  local base="${maintenance_dsn%%\?*}" query=""
  [[ "$maintenance_dsn" == *\?* ]] && query="?${maintenance_dsn#*\?}"
  echo "${base%/*}/$1$query"
}

platform_db="sfbench_$(date +%s)_$RANDOM"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if psql "$(dsn_for "$platform_db")" -Atc 'select 1' >/dev/null 2>&1; then
    local tenant
    for tenant in $(psql "$(dsn_for "$platform_db")" -Atc \
      "select database_name from clients where database_mode = 'managed'"); do
      psql "$maintenance_dsn" -qc "DROP DATABASE IF EXISTS \"$tenant\" WITH (FORCE)" || true
    done
    psql "$maintenance_dsn" -qc "DROP DATABASE IF EXISTS \"$platform_db\" WITH (FORCE)" || true
  fi
  log "raw outputs in $out"
}
trap cleanup EXIT

log "building the server and the LLM double"
go build -o "$out/sidekick-forge" ./server
go build -o "$out/llm-double" ./tools/llm-double

double_port="$(free_port)"
server_port="$(free_port)"
double_url="http://127.0.0.1:$double_port"
server_url="http://127.0.0.1:$server_port"

"$out/llm-double" --listen "127.0.0.1:$double_port" --log-requests=false \
  >"$out/llm-double.log" 2>&1 &
pids+=("$!")

export SIDEKICK_DATABASE_URL
SIDEKICK_DATABASE_URL="$(dsn_for "$platform_db")"
export SIDEKICK_TENANT_DATABASE_URL="$maintenance_dsn"
export SIDEKICK_LISTEN="127.0.0.1:$server_port"
export SIDEKICK_DATA_DIR="$out/data"
export SIDEKICK_SECRET_KEY
SIDEKICK_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"
export SIDEKICK_OPENAI_BASE_URL="$double_url/v1"
export SIDEKICK_LOG_FORMAT=json
# The per-key trigger limit (60 a minute by default) would answer most of
# the load with RATE_LIMITED; the benchmark measures the trigger itself.
export SIDEKICK_TRIGGER_RATE_LIMIT=0

"$out/sidekick-forge" serve >"$out/server.log" 2>&1 &
server_pid="$!"
pids+=("$server_pid")

wait_http() {
  local url="$1"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$url did not respond within 10s" >&2
  return 1
}
wait_http "$server_url/health"

key="$("$out/sidekick-forge" keys create --name bench 2>/dev/null)"

# graphql QUERY VARIABLES_JSON prints the data of a GraphQL call and fails on
# errors.
graphql() {
  local body response
  body="$(jq -cn --arg q "$1" --argjson v "$2" '{query: $q, variables: $v}')"
  response="$(curl -fsS -X POST "$server_url/graphql" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' --data "$body")"
  if [[ "$(jq '.errors | length' <<<"$response")" != "0" ]]; then
    echo "GraphQL error: $response" >&2
    return 1
  fi
  jq -c '.data' <<<"$response"
}

log "creating a client, its OpenAI key and an agent"
client_id="$(graphql 'mutation($n: String!) { createClient(input: {name: $n}) { id } }' \
  '{"n":"Bench Client"}' | jq -r '.createClient.id')"
graphql 'mutation($c: UUID!) { setProviderKey(clientId: $c, provider: "openai",
  key: "sk-bench-0123456789abcdefghijklmnop") { configured } }' \
  "{\"c\":\"$client_id\"}" >/dev/null
graphql 'mutation($c: UUID!, $in: AgentInput!) { createAgent(clientId: $c, input: $in) { id } }' \
  "{\"c\":\"$client_id\",\"in\":{\"slug\":\"bench-bot\",\"name\":\"Bench Bot\",
  \"systemPrompt\":\"You are a benchmark agent.\",
  \"voiceSettings\":{\"llm_provider\":\"openai\",\"llm_model\":\"gpt-bench\"}}}" >/dev/null

# Each request starts a new conversation, because hey sends one fixed body.
jq -cn '{query: "mutation($in: TriggerAgentInput!) { triggerAgent(input: $in) { conversationId text { response } } }",
  variables: {in: {agentSlug: "bench-bot", mode: "TEXT", userId: "bench-user", message: "hello"}}}' \
  >"$out/trigger.json"
# The chat completion that a text trigger sends to the provider.
jq -cn '{model: "gpt-bench", messages: [{role: "system", content: "You are a benchmark agent."},
  {role: "user", content: "hello"}]}' >"$out/chat.json"

check="$(curl -fsS -X POST "$server_url/graphql" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data @"$out/trigger.json")"
if [[ "$(jq -r '.data.triggerAgent.text.response' <<<"$check")" != "echo: hello" ]]; then
  echo "sanity trigger failed: $check" >&2
  exit 1
fi

tenant_db="$(psql "$SIDEKICK_DATABASE_URL" -Atc "select database_name from clients where id = '$client_id'")"
message_count() { psql "$(dsn_for "$tenant_db")" -Atc 'select count(*) from messages'; }

# run_hey NAME RATE URL BODY [AUTH] runs hey and prints "p50_ms p99_ms rps ok total".
run_hey() {
  local name="$1" rate="$2" url="$3" body="$4" auth="${5:-}"
  local workers=$((rate / per_worker_rate)) file="$out/$name-$rate.txt"
  local args=(-z "$duration" -c "$workers" -q "$per_worker_rate" -m POST -T application/json -D "$body")
  [[ -n "$auth" ]] && args+=(-H "Authorization: Bearer $auth")
  # The logged command line shows <key> in place of the bearer token.
  local shown="hey ${args[*]} $url"
  [[ -n "$auth" ]] && shown="${shown//$auth/<key>}"
  log "$shown"
  echo "$shown" >"$file.cmd"
  timeout $(( ${duration%s} + 60 ))s hey "${args[@]}" "$url" >"$file"
  local p50 p99 rps ok total
  p50="$(awk '/ 50% in/ {print $3 * 1000}' "$file")"
  p99="$(awk '/ 99% in/ {print $3 * 1000}' "$file")"
  rps="$(awk '/Requests\/sec:/ {print $2}' "$file")"
  ok="$(awk '/\[200\]/ {print $2}' "$file")"
  total="$(awk '/\[[0-9]+\]/ {n += $2} END {print n + 0}' "$file")"
  echo "${p50:-?} ${p99:-?} ${rps:-?} ${ok:-0} ${total:-0}"
}

summary="$out/summary.md"
{
  echo "| rate (req/s) | run | p50 ms | p99 ms | achieved req/s | HTTP 200 / sent |"
  echo "|---|---|---|---|---|---|"
} >"$summary"

for rate in $rates; do
  read -r d50 d99 drps dok dtotal < <(run_hey double "$rate" "$double_url/v1/chat/completions" \
    "$out/chat.json" "sk-bench-0123456789abcdefghijklmnop")
  echo "| $rate | LLM double alone | $d50 | $d99 | $drps | $dok / $dtotal |" >>"$summary"

  before="$(message_count)"
  read -r t50 t99 trps tok ttotal < <(run_hey trigger "$rate" "$server_url/graphql" \
    "$out/trigger.json" "$key")
  stored=$(( $(message_count) - before ))
  echo "| $rate | text trigger | $t50 | $t99 | $trps | $tok / $ttotal (stored $stored messages) |" \
    >>"$summary"
  if [[ "$stored" -ne $((2 * tok)) ]]; then
    log "WARNING: $tok triggers answered 200 but $stored messages were stored (want $((2 * tok)))"
  fi
  awk -v r="$rate" -v t50="$t50" -v t99="$t99" -v d50="$d50" -v d99="$d99" 'BEGIN {
    printf "| %s | overhead (trigger - double) | %.2f | %.2f | | |\n", r, t50 - d50, t99 - d99 }' \
    >>"$summary"
done

log "voice and in-process Go benchmarks (${voice_ops} iterations each)"
timeout 15m go test ./server/trigger -run '^$' -count 1 \
  -bench 'BenchmarkTrigger_voice|BenchmarkLiveKitCalls_voice|BenchmarkTrigger_text|BenchmarkDouble_text' \
  -benchtime "${voice_ops}x" | tee "$out/go-bench.txt" >&2

{
  echo
  echo '```'
  grep '^Benchmark' "$out/go-bench.txt"
  echo '```'
  echo
  echo "Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), load average before the Go benchmarks: $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$summary"

if [[ "${BENCH_PROFILE:-0}" == "1" ]]; then
  log "profiling BenchmarkTrigger_text"
  timeout 10m go test ./server/trigger -run '^$' -count 1 -bench 'BenchmarkTrigger_text' \
    -benchtime 2000x -cpuprofile "$out/cpu.pprof" -o "$out/trigger.test" >&2
  go tool pprof -top -cum -nodecount 40 "$out/trigger.test" "$out/cpu.pprof" \
    >"$out/cpu-top.txt" 2>/dev/null
  log "CPU profile summary in $out/cpu-top.txt"
fi

cat "$summary"
