#!/bin/sh
# Wrong: with --force, writes DST directly, even when DST is SRC.
# Expect: fails "copies a file exactly, exits 0, leaves no process behind"; "refuses DST that is SRC, even with --force"
# Because: "exit code 2"
shift; cat "$1" > "$2"
