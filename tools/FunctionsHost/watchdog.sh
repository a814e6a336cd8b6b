#!/bin/bash
# Runs the Functions worker ("$@") and stops it when the host goes away.
# stdin is a pipe whose only writer is the host; the host never writes to it. End-of-file
# means the host closed it (orderly stop) or died (the kernel closed it): then the worker gets
# SIGTERM, and SIGKILL if it is still there 5 s later. bash reaps the background child as soon
# as it exits, so kill -0 turns false then.
"$@" </dev/null &
pid=$!
echo "__jwtfunctions_worker_pid=$pid" >&2
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM HUP
while read -r _; do :; done
kill -TERM "$pid" 2>/dev/null
for ((i = 0; i < 50; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
