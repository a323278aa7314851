#!/usr/bin/env python3
"""Broken: a refused negative --nice is ignored: the program goes on at nice 0 and
exits 0, as if it had the priority it asked for.

Expect: fails "a negative --nice without privilege fails with EACCES, leaving nothing behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''    except PermissionError as e:
        say(f"setpriority({args.nice}) failed: errno=EACCES ({e.strerror}): only root may lower nice", err=True)
        os.close(w)
        os.waitpid(normal, 0)
        os.waitpid(low, 0)
        sys.exit(1)
''',
     '''    except PermissionError:
        pass  # the bug: the program goes on as if it had worked
'''),
)
