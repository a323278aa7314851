"""What the wrong programs in tests/broken/<lab>/ share: a wrong program is
its lab's control with its bug as edits. `mutant` runs a control of the
program's own folder (correct.py, correct.c, or in the chat lab
student_server.py and the like) with a few edits made to its source, so the
file holds only the bug, as `old -> new`, and nothing else can differ from
the control:

    import os, sys
    sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
    sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from wrong import mutant  # noqa: E402

    mutant("correct.py", ("pid_match={'yes' if said == str(pid) else 'no'}",
                          "pid_match=yes"))

`WRONG_SOURCE=1 python3 FILE` prints the program a mutant runs, whole: a
standalone file, as a student would hand it in (bench/class.sh and
tests/class.rs hand mutants in that way, and the tests compile a C mutant's
from it). A mutant of correct.c run as `python3 FILE` compiles its program
with `cc` (once: the executable is kept, named after its source's hash, in
$TMPDIR/labkit-mutants-UID) and then becomes it (exec: the same PID), so
the compiler's processes run before the program, in that first run's
family. The controls (correct.py,
correct.c, student_*.py) import nothing: they are written from the
handouts alone, as a student would write them.
"""
import os
import sys


def mutated(control, *edits):
    """The source of `control` (a file in the folder of the program being
    run) with each edit `(old, new)` made: `old` must stand exactly once in
    the source as the earlier edits left it, or the program stops at once
    (exit 3) saying so, so that an edit the control no longer fits can
    never make a program that silently lacks its bug."""
    main = os.path.abspath(sys.modules["__main__"].__file__)
    path = os.path.join(os.path.dirname(main), control)
    with open(path) as f:
        source = f.read()
    for old, new in edits:
        count = source.count(old)
        if count != 1:
            sys.stderr.write(f"wrong.py: {os.path.basename(main)}: the edit's text stands {count} times "
                             f"in {control}, not once: {old!r}\n")
            sys.exit(3)
        source = source.replace(old, new)
    return path, source


def mutant(control, *edits):
    """Run `control` (see `mutated`) with the edits made, as the main
    program: its own command line, its `__name__ == "__main__"`. With
    WRONG_SOURCE=1 in the environment, print the edited source instead: a
    standalone program, as a student would hand it in (bench/class.sh)."""
    path, source = mutated(control, *edits)
    if os.environ.get("WRONG_SOURCE") == "1":
        sys.stdout.write(source)
        sys.exit(0)
    if control.endswith(".c"):
        exe = compiled(source, os.path.basename(sys.modules["__main__"].__file__))
        os.execv(exe, [exe] + sys.argv[1:])
    code = compile(source, path, "exec")
    exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__})


def compiled(source, name):
    """The executable of the C program `source` (`cc -O1 -Wall`), built once
    and kept under its hash; `name` (the mutant's file) names it."""
    import hashlib
    import subprocess
    import tempfile
    folder = os.path.join(tempfile.gettempdir(), f"labkit-mutants-{os.getuid()}")
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    exe = os.path.join(folder, f"{os.path.splitext(name)[0]}-{digest}")
    if not os.path.exists(exe):
        building = f"{exe}.{os.getpid()}"
        built = subprocess.run(["cc", "-O1", "-Wall", "-x", "c", "-o", building, "-"], input=source.encode(),
                               capture_output=True)
        if built.returncode != 0:
            sys.stderr.write(f"wrong.py: {name}: cc could not compile it:\n{built.stderr.decode()}")
            sys.exit(3)
        os.replace(building, exe)  # atomic: two first runs at once each build, one wins
    return exe
