"""What the wrong fork-copy programs beside it share: the three values, in
ctypes memory as the handout shows (id() would not do: `a = 10000` makes
the name point at another object; ctypes.addressof gives the address of
memory the child changes in place), and the line that shows them.
"""
import ctypes

from wrong import tag


def values(start):
    """a, s and v, made by the parent before it forks."""
    return ctypes.c_long(start), ctypes.create_string_buffer(b"made-by-parent"), (ctypes.c_long * 3)(start, 2, 3)


def show(what, a, s, v, flush=True):
    """One tagged line with each value and its address (`flush=False`: left in stdout's buffer)."""
    print(f"{tag()} {what}: a={a.value} a_addr={hex(ctypes.addressof(a))} s={s.value.decode()} "
          f"s_addr={hex(ctypes.addressof(s))} v=[{','.join(map(str, v))}] v_addr={hex(ctypes.addressof(v))}",
          flush=flush)
