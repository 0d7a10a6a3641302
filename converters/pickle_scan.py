"""A walk over a pickle's opcodes, before the unpickler sees it, that refuses what would cost memory or crash it.

CPython's unpickler sizes its memo by the largest index a pickle stores to (a 20-byte pickle can ask for 2 GB),
and hashing or comparing a tuple nested a million deep overflows the C stack. The walk follows each opcode's effect
on the stack (as :mod:`pickletools` describes it) closely enough to know how deep every object is nested, and
bounds the number of opcodes, the memo indices and the nesting. torch.save writes protocol 2 pickles a few
levels deep; nothing here comes near the limits.
"""

from __future__ import annotations

import pickletools

from converters.errors import CheckpointError

MAX_OPCODES = 1 << 20
MAX_MEMO_INDEX = 1 << 20
MAX_DEPTH = 64
# Opcodes with 8-byte lengths or out-of-band buffers: torch.save never writes them.
_REFUSED = frozenset({"BINBYTES8", "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER"})
# Opcodes that put items into the container below them instead of making a new object.
_FILLS = frozenset({"APPEND", "APPENDS", "SETITEM", "SETITEMS", "ADDITEMS", "BUILD"})
_MEMO_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_MEMO_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})


def scan_pickle(data: bytes, name: str) -> None:
    """Raise CheckpointError (naming ``name``) when ``data`` is a pickle the unpickler should not be given."""
    try:
        _scan(data, name)
    except CheckpointError:
        raise
    except (ValueError, IndexError, KeyError) as exc:  # what pickletools raises on a malformed pickle
        raise CheckpointError(f"{name}: malformed pickle ({str(exc)[:80]})") from exc


def _scan(data: bytes, name: str) -> None:
    stack: list[int] = []  # nesting depth of each object on the stack (0: not a container)
    marks: list[int] = []
    memo: dict[int, int] = {}
    for count, (op, arg, _pos) in enumerate(pickletools.genops(data)):
        if count >= MAX_OPCODES:
            raise CheckpointError(f"{name}: the pickle has more than {MAX_OPCODES} opcodes")
        if op.name in _REFUSED:
            raise CheckpointError(f"{name}: the pickle uses opcode {op.name}, which weights files never use")
        if op.name in _MEMO_PUTS:
            if not isinstance(arg, int) or not 0 <= arg < MAX_MEMO_INDEX:
                raise CheckpointError(f"{name}: the pickle stores to memo index {arg}, beyond {MAX_MEMO_INDEX}")
            if not stack:
                raise CheckpointError(f"{name}: malformed pickle (memo store from an empty stack)")
            memo[arg] = stack[-1]
            continue
        if op.name == "MEMOIZE":
            if not stack:
                raise CheckpointError(f"{name}: malformed pickle (memo store from an empty stack)")
            memo[len(memo)] = stack[-1]
            continue
        before = op.stack_before
        popped: list[int] = []
        if pickletools.markobject in before:
            if not marks:
                raise CheckpointError(f"{name}: malformed pickle ({op.name} without a mark)")
            mark = marks.pop()
            popped = stack[mark:]
            del stack[mark:]
            n_below = before.index(pickletools.markobject)
        else:
            n_below = len(before)
        if n_below > len(stack):
            raise CheckpointError(f"{name}: malformed pickle ({op.name} on a stack too short)")
        below = stack[len(stack) - n_below :] if n_below else []
        del stack[len(stack) - n_below :]
        for item in op.stack_after:
            if item is pickletools.markobject:
                marks.append(len(stack))
                if len(marks) > MAX_DEPTH:
                    raise CheckpointError(f"{name}: the pickle nests more than {MAX_DEPTH} marks")
                continue
            if op.name in _MEMO_GETS:
                depth = memo.get(arg, 0) if isinstance(arg, int) else 0
            elif op.name == "DUP":
                depth = below[-1] if below else 0
            elif op.name in _FILLS:
                # The container (first item below) now holds the items: deeper only if they are.
                depth = max(below[0], 1 + max(below[1:] + popped, default=-1))
            else:
                items = below + popped
                depth = 1 + max(items) if items else 0
            if depth > MAX_DEPTH:
                raise CheckpointError(f"{name}: the pickle nests objects more than {MAX_DEPTH} levels deep")
            stack.append(depth)
