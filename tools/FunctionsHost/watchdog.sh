#!/bin/bash
# Runs a child process ("$@", e.g. the Functions worker) and ties its life to its owner's.
# stdin is a pipe whose only writer is the owner (the host), which never writes to it. End-of-file
# on it means the owner closed it (orderly stop) or died (the kernel closed it): the child then
# gets SIGTERM, and SIGKILL if it is still there 5 s later. When the child exits by itself, the
# watchdog exits too, with the child's status. No prctl, no extra processes besides sleep.
"$@" </dev/null &
pid=$!
echo "__watchdog_child_pid=$pid" >&2
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM HUP
while kill -0 "$pid" 2>/dev/null; do
  read -r -t 0.5 _
  status=$?
  # 0: a line (never sent); >128: timeout or a trapped signal; anything else: end-of-file.
  if [ "$status" -ne 0 ] && [ "$status" -le 128 ]; then
    break
  fi
done
kill -TERM "$pid" 2>/dev/null
for ((i = 0; i < 50; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
