#!/usr/bin/env python3
"""Broken: writes straight into DST instead of a temp file renamed into place,
so a failed or interrupted copy leaves a partial DST. Successful copies are
exact.

Expect: fails "a failed write (file size limit) leaves no DST and no temp file"; "Ctrl-C during the copy leaves no DST and no temp file"; "a killed child makes the parent fail and remove the temp file"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('tmp = os.path.join(folder, f".{os.path.basename(args.dst)}.half-copy-{os.getpid()}")\n',
     'tmp = args.dst  # the bug: no temp file, the halves go straight into DST\n'),
    # so DST is created (replaced with --force) by hand...
    ('os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644',
     'os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644'),
    # ...and a failed copy leaves what it wrote
    ('''    try:
        os.unlink(tmp)
    except OSError:
        pass
    say(f"{why}; removed temp={tmp}, DST was not touched", sys.stderr)
''',
     '''    say(f"{why}", sys.stderr)
'''),
)
