#!/bin/bash
# thrcpu.sh CMD...: per-thread CPU seconds of a process (grouped by thread name), from /proc, sampled every 0.2 s.
"$@" > /tmp/thr.out 2>&1 &
pid=$!
best=0; : > /tmp/thr.snap
while kill -0 $pid 2>/dev/null; do
  snap=$(for t in /proc/$pid/task/*; do c=$(cat $t/comm 2>/dev/null); s=$(sed 's/.*) //' $t/stat 2>/dev/null | awk '{print $12+$13}'); echo "$c|$s"; done 2>/dev/null)
  tot=$(echo "$snap" | awk -F'|' '{t+=$2} END {print t+0}')
  if (( tot >= best )); then best=$tot; echo "$snap" > /tmp/thr.snap; fi
  sleep 0.2
done
wait $pid
sed -E 's/[0-9]+\|/N|/; s/#[0-9]+/#N/' /tmp/thr.snap | awk -F'|' '{a[$1]+=$2; t+=$2} END {for (k in a) printf "%8.2f s  %s\n", a[k]/100, k; printf "%8.2f s  TOTAL\n", t/100}' | sort -rn | head -15
