#!/bin/sh
# Wrong: one process copies everything (cp).
# Expect: fails "each process reports its role, PID, byte range and time"; "two processes each wrote one half (seen by strace)"; "each process opens SRC and DST itself after the fork (seen by strace)"; "the parent copies its half before waiting for the child (seen by strace)"; "refuses a missing SRC"; "refuses an unreadable SRC"; "refuses a directory, a FIFO or a device as SRC"; "refuses DST that is SRC, even with --force"; "refuses an existing DST without --force"; "refuses a DST whose folder is missing"; "a failed write (file size limit) leaves no DST and no temp file"; "Ctrl-C during the copy leaves no DST and no temp file"; "a killed child makes the parent fail and remove the temp file"; "--shared-offset reports the wrong bytes it really got"
# Because: "exactly two processes, strace saw 1"; "from=A to=B"; "must be empty afterwards"
exec cp "$@"
