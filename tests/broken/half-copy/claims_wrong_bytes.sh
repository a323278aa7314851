#!/bin/sh
# Wrong: copies exactly, then claims wrong bytes it never counted.
# Expect: fails "copies a file exactly, exits 0, leaves no process behind"; "--shared-offset reports the wrong bytes it really got"
# Because: "but comparing DST with SRC finds 0"
cp "$2" "$3"; echo "[parent $$] wrong_bytes=7"
