#!/usr/bin/env bash
# Where a server's threads spend a run: per thread name, the CPU time and the time spent
# runnable but waiting for a CPU (the run queue), from /proc/PID/task/*/schedstat, over
# SECONDS (default 8) starting DELAY s (default 4) after the newest process named NAME
# appears. Start it just before a bench-server.sh run, e.g.
#   benches/scripts/runq-wait.sh chat-tcp & benches/scripts/bench-server.sh ...
# usage: benches/scripts/runq-wait.sh [NAME] [DELAY] [SECONDS]
set -u
name=${1:-chat-tcp}; delay=${2:-4}; secs=${3:-8}
pid=""
for _ in $(seq 100); do pid=$(pgrep -n -x "$name") && break; sleep 0.1; done
[ -n "$pid" ] || { echo "no process named $name" >&2; exit 1; }
sleep "$delay"
snap() {
  for t in /proc/"$pid"/task/*; do
    printf '%s %s\n' "$(cat "$t/comm")" "$(cat "$t/schedstat")"
  done 2>/dev/null | awk '{n[$1]++; c[$1]+=$2; w[$1]+=$3; s[$1]+=$4}
      END {for (k in n) print k, n[k], c[k], w[k], s[k]}' | sort
}
a=$(snap); sleep "$secs"; b=$(snap)
join <(echo "$a") <(echo "$b") | awk -v s="$secs" '{
  d = $9 - $5
  printf "%-14s threads=%d cpu=%.2fs runq-wait=%.2fs slices=%d wait/slice=%.0fus (over %ss)\n",
    $1, $6, ($7 - $3) / 1e9, ($8 - $4) / 1e9, d, d ? ($8 - $4) / d / 1e3 : 0, s }'
