#!/usr/bin/env bash
# One measured server run, as BENCHMARKS.md reports it: a fresh release `chat-tcp` (flood
# limit off, its log in LOGDIR/server.txt), `chat-load` against it with --server-pid, then
# the server is stopped and its log removed. Prints one line:
#   label|date|loadavg before|loadavg after|log bytes|machine busy cores|our cores|command|JSON|waited|peak RSS|slow consumers
# ("peak RSS" is the server's VmHWM at the end, "slow consumers" the `slow-consumer` leaves
# in its log; `-` for the anchors, which keep none.)
# "machine busy" counts every process (from /proc/stat), "our cores" the server and the
# generator, so their difference is what other tenants used during the run.
#
# usage: benches/scripts/bench-server.sh LABEL LOGDIR CAPACITY [chat-load options...]
# e.g.   benches/scripts/bench-server.sh ladder-5000 /tmp/chatlog 10 \
#            --clients 10 --rate 5000 --duration 10 --warmup 2 --drain 5
# More server flags in SERVER_ARGS, e.g. SERVER_ARGS="--max-connections 1100" (they are
# printed with the command); SERVER_CPUS and LOAD_CPUS pin the server and the generator
# with taskset (e.g. SERVER_CPUS=0 LOAD_CPUS=1).
# SLEEPER=1 joins a member that never reads (benches/scripts/sleeper.py) before the load:
# give CAPACITY one more than --clients.
# QUIET_TRIES=N waits at most 2N s for a quiet machine (default 45).
# CHAT_TCP=PATH measures another chat-tcp binary (an earlier commit's, for a before/after).
# ANCHOR=limit|limit-epoll|ngircd measures an anchor server instead of chat-tcp, started the
# same way (../shared/anchors: the two `limit` servers, built into ANCHORS_TARGET, default
# /tmp/anchors-target; ngIRCd from Debian with flood penalties off, driven with --irc).
# TLS=DIR serves the line protocol over TLS on the measured port (plain lines move to the
# next port) and runs chat-load with --tls --ca DIR/cert.pem; a self-signed certificate for
# 127.0.0.1 is made there with openssl when DIR has none.
# Build first: cargo build --release -p chat-tcp -p chat-benches
set -u
label=$1; logdir=$2; cap=$3; shift 3
cd "$(dirname "$0")/../.."
port=$(( 20000 + RANDOM % 20000 ))
mkdir -p "$logdir"; rm -f "$logdir/server.txt" "$logdir"/chat.db*
extra=""
case "${ANCHOR:-}" in
  "") server=("${CHAT_TCP:-target/release/chat-tcp}" --bind "127.0.0.1:$port" --web none --log "$logdir/server.txt"
              --flood-rate 0 --capacity "$cap" ${SERVER_ARGS:-})
      if [ -n "${TLS:-}" ]; then
        mkdir -p "$TLS"
        [ -f "$TLS/cert.pem" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -nodes -days 2 -subj /CN=chat-bench -addext subjectAltName=IP:127.0.0.1 \
            -addext basicConstraints=critical,CA:FALSE -keyout "$TLS/key.pem" -out "$TLS/cert.pem" 2>/dev/null
        server[2]="127.0.0.1:$(( port + 1 ))"
        server+=(--tls-cert "$TLS/cert.pem" --tls-key "$TLS/key.pem" --tls-bind "127.0.0.1:$port")
        extra="--tls --ca $TLS/cert.pem"
      fi ;;
  limit|limit-epoll) server=("${ANCHORS_TARGET:-/tmp/anchors-target}/release/$ANCHOR"
              --bind "127.0.0.1:$port" --capacity "$cap"); extra="--no-prompt" ;;
  ngircd)
    printf '%s\n' "[Global]" "Name = irc.local" "Info = anchor" "Listen = 127.0.0.1" \
        "Ports = $port" "PidFile = $logdir/ngircd.pid" "[Limits]" "MaxConnections = 0" \
        "MaxConnectionsIP = 0" "MaxJoins = 0" "MaxNickLength = 16" "MaxPenaltyTime = 0" \
        "PingTimeout = 600" "PongTimeout = 600" "[Options]" "PAM = no" "Ident = no" \
        "DNS = no" "IncludeDir = $logdir/ngircd.conf.d" > "$logdir/ngircd.conf"
    mkdir -p "$logdir/ngircd.conf.d"
    server=(ngircd -n -f "$logdir/ngircd.conf"); extra="--irc" ;;
  *) echo "unknown ANCHOR=$ANCHOR" >&2; exit 2 ;;
esac
${SERVER_CPUS:+taskset -c $SERVER_CPUS} "${server[@]}" >>"$logdir/server-stderr.txt" 2>&1 &
spid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
sleeper=""
if [ -n "${SLEEPER:-}" ]; then
  python3 benches/scripts/sleeper.py "$port" & sleeper=$!
fi
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# Wait (up to 90 s) for a quiet machine: under 0.3 cores busy over 2 s.
waited=0
for _ in $(seq "${QUIET_TRIES:-45}"); do
  q0=$(busy); sleep 2; q1=$(busy)
  [ $(( q1 - q0 )) -lt 60 ] && break
  waited=$(( waited + 2 ))
done
before=$(cut -d' ' -f1-3 /proc/loadavg)
when=$(date -u +%FT%TZ)
cmd="${LOAD_CPUS:+taskset -c $LOAD_CPUS }target/release/chat-load --addr 127.0.0.1:$port --server-pid $spid --json $extra $*"
out=$(mktemp)
b0=$(busy); s0=$(awk '{print $14+$15}' "/proc/$spid/stat"); t0=$(date +%s.%N)
TIMEFORMAT='%U %S'
gen=$( { time $cmd > "$out" 2>&1; } 2>&1 )
t1=$(date +%s.%N); b1=$(busy); s1=$(awk '{print $14+$15}' "/proc/$spid/stat")
after=$(cut -d' ' -f1-3 /proc/loadavg)
logsize=$(stat -c %s "$logdir/server.txt" 2>/dev/null)
hwm=$(awk '/^VmHWM/{print $2" "$3}' "/proc/$spid/status")
[ -n "$sleeper" ] && kill "$sleeper"
kill -TERM "$spid"; wait "$spid" 2>/dev/null
slow=$(grep -c ' slow-consumer$' "$logdir/server.txt" 2>/dev/null || true)
rm -f "$logdir/server.txt" "$logdir"/chat.db*
machine=$(echo "$b0 $b1 $t0 $t1" | awk '{printf "%.2f", ($2-$1)/100/($4-$3)}')
ours=$(echo "$s0 $s1 $gen $t0 $t1" | awk '{printf "%.2f", (($2-$1)/100+$3+$4)/($6-$5)}')
echo "$label|$when|$before|$after|$logsize|$machine|$ours|${SERVER_CPUS:+[server on cpu $SERVER_CPUS] }${ANCHOR:+[server: ${server[*]}] }${TLS:+[server: ${server[*]}] }${SERVER_ARGS:+[server: $SERVER_ARGS] }$cmd|$(cat "$out")|waited=$waited|hwm=$hwm|slow=${slow:--}${sleeper:+ (with a sleeper)}"
rm -f "$out"
