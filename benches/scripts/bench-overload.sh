#!/usr/bin/env bash
# The overload set of BENCHMARKS.md ("Overload: back-pressure instead of drops"), in rounds so
# that every server sees the same machine: per round, unlimited senders (--rate 0) against
# chat-tcp, ngIRCd and the two anchor servers of ../shared/anchors, the chat-tcp binary of
# BEFORE if given, the 5,000 and 20,000 lines/s per client steps, and unlimited senders with
# one member who never reads. One bench-server.sh line per run.
#
# usage: benches/scripts/bench-overload.sh [ROUNDS]       (default 3)
# env:   LOGDIR (default /tmp/chatlog), BEFORE=PATH (an earlier chat-tcp), QUIET_TRIES
# Build first: cargo build --release -p chat-tcp -p chat-benches
#              cargo build --release --manifest-path ../shared/anchors/limit/Cargo.toml \
#                  --target-dir /tmp/anchors-target
#              apt-get install -y ngircd
set -u
cd "$(dirname "$0")/../.."
rounds=${1:-3}
logdir=${LOGDIR:-/tmp/chatlog}
run() { benches/scripts/bench-server.sh "$@"; }
common=(--duration 10 --warmup 2 --drain 5)
echo "# $(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for a in "" ngircd limit limit-epoll; do
    ANCHOR=$a run "unlimited ${a:-chat-tcp} run=$r" "$logdir" 10 --clients 10 --rate 0 "${common[@]}"
  done
  if [ -n "${BEFORE:-}" ]; then
    CHAT_TCP=$BEFORE run "unlimited chat-tcp-before run=$r" "$logdir" 10 --clients 10 --rate 0 "${common[@]}"
  fi
  for rate in 5000 20000; do
    run "rate=$rate chat-tcp run=$r" "$logdir" 10 --clients 10 --rate "$rate" "${common[@]}"
  done
  SLEEPER=1 run "unlimited chat-tcp + sleeper run=$r" "$logdir" 11 --clients 10 --rate 0 "${common[@]}"
done
echo "# $(date -u +%FT%TZ) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
