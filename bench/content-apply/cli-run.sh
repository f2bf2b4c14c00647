#!/bin/bash
# Runs a generated koji CLI script (gen.py's cli.sh) inside a farm container: every line is one
# `koji` process, as a person or a shell script seeding a hub would run them. A failed command is
# counted and the script goes on. Prints: commands failed seconds.
#   cli-run.sh PROFILE SCRIPT LOG
set -u
profile=$1 script=$2 log=$3
n=0 failed=0
k() {
  local t=$EPOCHREALTIME
  n=$((n + 1))
  if ! koji -p "$profile" "$@" >>"$log" 2>&1; then
    failed=$((failed + 1))
    echo "FAILED: koji ${*:1:3} ..." >>"$log"
  fi
  echo "TIME $(python3 -c "print(f'{$EPOCHREALTIME - $t:.2f}')") koji ${*:1:3}" >>"$log"
}
start=$EPOCHREALTIME
. "$script"
end=$EPOCHREALTIME
echo "$n $failed $(python3 -c "print(f'{$end - $start:.3f}')")"
