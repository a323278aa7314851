#!/bin/sh
# Wrong: starts a child and never waits for it: it is left running.
# Expect: fails "runs and exits 0, leaving no process behind"
# Because: "left processes behind"; "sleep"
sleep 5 & echo "[parent $$] forked child=$! and never waits for it"
