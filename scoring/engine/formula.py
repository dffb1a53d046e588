"""A small, safe formula language for measures and points formulas.

Scheme files are written by cluster secretariats and imported from e-mail attachments, so the
text is hostile until proven otherwise: it is tokenised and parsed by hand (never eval/exec/ast),
bounded in length and nesting, and compiled to closures that evaluate a whole column (all
members of a cluster) at once, because the core scores one criterion for every member together.

A value is a float or a `Missing` marker that says why it is missing (an unreported figure, a
division by zero, an overflow); markers propagate through arithmetic so the core can write a
precise warning instead of a bare "no value".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scoring.engine.formula_tokens import FormulaError, Token, tokenize

MAX_LENGTH = 2000
MAX_DEPTH = 50

FUNCTIONS = {
    "if": (3, 3),
    "min": (1, 64),
    "max": (1, 64),
    "abs": (1, 1),
    "round": (1, 2),
    "prev": (1, 1),
}
KEYWORDS = frozenset({"and", "or", "not"})
RESERVED = KEYWORDS | frozenset(FUNCTIONS)


@dataclass(frozen=True, slots=True)
class Missing:
    """Why a value is missing. `code` is a warning code the core reports as such."""

    code: str  # missing_figure | division_by_zero | overflow
    element: str | None = None
    prev: bool = False

    def describe(self) -> str:
        if self.element is None:
            return self.code
        return f"prev({self.element})" if self.prev else self.element


DIVISION_BY_ZERO = Missing("division_by_zero")
OVERFLOW = Missing("overflow")

Value = float | Missing
Column = list[Value]
# A parsed formula: nested tuples whose first item says what the node is (see the parser).
Node = tuple[Any, ...]


# --- parser ----------------------------------------------------------------------------------
# AST nodes are tuples: ("num", value) ("name", code) ("prev", code) ("neg", x) ("not", x)
# ("chain", first, ((op, x), ...)) for + - and * / ; ("cmp", op, a, b) ; ("and", (x, ...))
# ("or", (x, ...)) ; ("call", fname, (args...)). Chains are n-ary so that a long sum does not
# make a deep tree: tree depth is bounded by syntactic nesting, which the parser bounds.


class _Parser:
    def __init__(self, text: str, names: Collection[str] | None, allow: Collection[str]) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.names = names
        self.allow = frozenset(allow)
        self.used: set[str] = set()
        self.used_prev: set[str] = set()

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.tok
        if tok.text != text or tok.kind != "op":
            raise FormulaError(f"expected '{text}' but found {_describe(tok)}", tok.pos)
        return self.take()

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nested deeper than {MAX_DEPTH} levels", pos)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise FormulaError("empty formula", 0)
        node = self.expr()
        if self.tok.kind != "end":
            raise FormulaError(f"unexpected {_describe(self.tok)}", self.tok.pos)
        return node

    def expr(self) -> Node:
        self.enter(self.tok.pos)
        node = self.or_expr()
        self.depth -= 1
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.tok.kind == "name" and self.tok.text == "or":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else ("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.tok.kind == "name" and self.tok.text == "and":
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else ("and", tuple(items))

    def not_expr(self) -> Node:
        if self.tok.kind == "name" and self.tok.text == "not":
            tok = self.take()
            self.enter(tok.pos)
            node = ("not", self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        if self.tok.kind == "op" and self.tok.text in ("<", "<=", ">", ">=", "==", "!="):
            op = self.take().text
            right = self.additive()
            if self.tok.kind == "op" and self.tok.text in ("<", "<=", ">", ">=", "==", "!="):
                raise FormulaError("comparisons cannot be chained; use 'and'", self.tok.pos)
            return ("cmp", op, left, right)
        return left

    def additive(self) -> Node:
        return self._chain(self.term, ("+", "-"))

    def term(self) -> Node:
        return self._chain(self.unary, ("*", "/"))

    def _chain(self, operand: Callable[[], Node], ops: tuple[str, str]) -> Node:
        first = operand()
        rest = []
        while self.tok.kind == "op" and self.tok.text in ops:
            op = self.take().text
            rest.append((op, operand()))
        return ("chain", first, tuple(rest)) if rest else first

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text in ("-", "+"):
            self.take()
            self.enter(tok.pos)
            operand = self.unary()
            self.depth -= 1
            return ("neg", operand) if tok.text == "-" else operand
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return ("num", tok.value)
        if tok.kind == "op" and tok.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if tok.kind == "name":
            if tok.text in KEYWORDS:
                raise FormulaError(f"expected a value but found '{tok.text}'", tok.pos)
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(tok)
            return self.name(tok)
        raise FormulaError(f"expected a value but found {_describe(tok)}", tok.pos)

    def name(self, tok: Token) -> Node:
        if tok.text in FUNCTIONS:
            raise FormulaError(f"'{tok.text}' is a function and needs '(...)'", tok.pos)
        if tok.text in self.allow:
            self.used.add(tok.text)
            return ("name", tok.text)
        if self.names is not None and tok.text not in self.names:
            raise FormulaError(f"unknown name '{tok.text}'", tok.pos)
        self.used.add(tok.text)
        return ("name", tok.text)

    def call(self, tok: Token) -> Node:
        fname = tok.text
        if fname not in FUNCTIONS:
            raise FormulaError(f"unknown function '{fname}'", tok.pos)
        self.expect("(")
        self.enter(tok.pos)
        if fname == "prev":
            node = self.prev_argument()
            self.expect(")")
            self.depth -= 1
            return node
        args = []
        if not (self.tok.kind == "op" and self.tok.text == ")"):
            args.append(self.expr())
            while self.tok.kind == "op" and self.tok.text == ",":
                self.take()
                args.append(self.expr())
        self.expect(")")
        self.depth -= 1
        low, high = FUNCTIONS[fname]
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            raise FormulaError(f"{fname}() takes {wanted} argument(s), {len(args)} given", tok.pos)
        return ("call", fname, tuple(args))

    def prev_argument(self) -> Node:
        arg = self.tok
        # `prev(` at the very end has no token after its argument: the end token stands there.
        after = self.tokens[self.i + 1] if arg.kind != "end" else arg
        if arg.kind != "name" or not (after.kind == "op" and after.text == ")"):
            raise FormulaError("prev() takes one data element code", arg.pos)
        if arg.text in RESERVED or arg.text in self.allow:
            raise FormulaError(f"prev() takes a data element code, not '{arg.text}'", arg.pos)
        if self.names is not None and arg.text not in self.names:
            raise FormulaError(f"unknown name '{arg.text}'", arg.pos)
        self.take()
        self.used_prev.add(arg.text)
        return ("prev", arg.text)


def _describe(tok: Token) -> str:
    return "the end of the formula" if tok.kind == "end" else f"'{tok.text}'"


# --- compiler to column closures ---------------------------------------------------------------

Runner = Callable[["_Env", Sequence[int]], Column]


class _Env:
    __slots__ = ("cols", "prev_cols", "cache", "prev_cache")

    def __init__(
        self,
        cols: Mapping[str, Sequence[float | None]],
        prev_cols: Mapping[str, Sequence[float | None]],
    ) -> None:
        self.cols = cols
        self.prev_cols = prev_cols
        self.cache: dict[str, Column] = {}
        self.prev_cache: dict[str, Column] = {}


def _convert(raw: Sequence[float | None], missing: Missing) -> Column:
    out: Column = []
    app = out.append
    for x in raw:
        if x is None:
            app(missing)
            continue
        x = float(x)
        app(x if x - x == 0.0 else missing)  # non-finite input counts as not reported
    return out


def _compile(node: Node) -> Runner:
    kind = node[0]
    if kind == "num":
        value = node[1]
        return lambda env, idx: [value] * len(idx)
    if kind in ("name", "prev"):
        return _load(node[1], kind == "prev")
    if kind == "neg":
        inner = _compile(node[1])
        # `x.__class__ is Missing` (faster than isinstance here) does not narrow x for mypy.
        return lambda env, idx: [x if x.__class__ is Missing else -x for x in inner(env, idx)]  # type: ignore[operator]
    if kind == "not":
        inner = _compile(node[1])
        return lambda env, idx: [
            x if x.__class__ is Missing else (1.0 if x == 0.0 else 0.0) for x in inner(env, idx)
        ]
    if kind == "chain":
        return _chain(_compile(node[1]), [(op, _compile(x)) for op, x in node[2]])
    if kind == "cmp":
        return _binary(_COMPARE[node[1]], _compile(node[2]), _compile(node[3]))
    if kind in ("and", "or"):
        return _logic(kind == "and", [_compile(x) for x in node[1]])
    if kind == "call":
        return _call(node[1], [_compile(x) for x in node[2]])
    raise AssertionError(kind)


def _load(code: str, prev: bool) -> Runner:
    missing = Missing("missing_figure", code, prev)

    def run(env: _Env, idx: Sequence[int]) -> Column:
        cache = env.prev_cache if prev else env.cache
        column = cache.get(code)
        if column is None:
            source = env.prev_cols if prev else env.cols
            raw = source.get(code)
            column = _convert(raw, missing) if raw is not None else None
            if column is None:
                return [missing] * len(idx)
            cache[code] = column
        return [column[i] for i in idx]

    return run


def _checked(value: float) -> Value:
    return value if value - value == 0.0 else OVERFLOW


def _add(x: float, y: float) -> Value:
    return _checked(x + y)


def _sub(x: float, y: float) -> Value:
    return _checked(x - y)


def _mul(x: float, y: float) -> Value:
    return _checked(x * y)


def _div(x: float, y: float) -> Value:
    return DIVISION_BY_ZERO if y == 0.0 else _checked(x / y)


_ARITH = {"+": _add, "-": _sub, "*": _mul, "/": _div}
_COMPARE: dict[str, Callable[[float, float], Value]] = {
    "<": lambda x, y: 1.0 if x < y else 0.0,
    "<=": lambda x, y: 1.0 if x <= y else 0.0,
    ">": lambda x, y: 1.0 if x > y else 0.0,
    ">=": lambda x, y: 1.0 if x >= y else 0.0,
    "==": lambda x, y: 1.0 if x == y else 0.0,
    "!=": lambda x, y: 1.0 if x != y else 0.0,
}


def _apply(fn: Callable[[float, float], Value], a: Column, b: Column) -> Column:
    out: Column = []
    app = out.append
    for x, y in zip(a, b, strict=True):
        if x.__class__ is Missing:
            app(x)
        elif y.__class__ is Missing:
            app(y)
        else:
            app(fn(x, y))  # type: ignore[arg-type]
    return out


def _binary(fn: Callable[[float, float], Value], left: Runner, right: Runner) -> Runner:
    return lambda env, idx: _apply(fn, left(env, idx), right(env, idx))


def _chain(first: Runner, rest: list[tuple[str, Runner]]) -> Runner:
    steps = [(_ARITH[op], runner) for op, runner in rest]

    def run(env: _Env, idx: Sequence[int]) -> Column:
        acc = first(env, idx)
        for fn, runner in steps:
            acc = _apply(fn, acc, runner(env, idx))
        return acc

    return run


def _logic(is_and: bool, parts: list[Runner]) -> Runner:
    # Short-circuits per row like `if`: `b > 0 and a / b > 1` is not missing when b == 0.
    def run(env: _Env, idx: Sequence[int]) -> Column:
        out: Column = [0.0] * len(idx)
        pending = list(range(len(idx)))
        for number, part in enumerate(parts):
            values = part(env, [idx[p] for p in pending])
            last = number == len(parts) - 1
            still: list[int] = []
            for p, v in zip(pending, values, strict=True):
                if v.__class__ is Missing:
                    out[p] = v
                elif (v != 0.0) != is_and:  # decided: false for 'and', true for 'or'
                    out[p] = 0.0 if is_and else 1.0
                elif last:
                    out[p] = 1.0 if is_and else 0.0
                else:
                    still.append(p)
            pending = still
            if not pending:
                break
        return out

    return run


def _call(fname: str, args: list[Runner]) -> Runner:
    if fname == "if":
        return _if(*args)
    if fname in ("min", "max"):
        pick = min if fname == "min" else max

        def run(env: _Env, idx: Sequence[int]) -> Column:
            columns = [arg(env, idx) for arg in args]
            out: Column = []
            for row in zip(*columns, strict=True):
                bad = next((v for v in row if v.__class__ is Missing), None)
                out.append(bad if bad is not None else pick(row))
            return out

        return run
    if fname == "abs":
        inner = args[0]
        return lambda env, idx: [x if x.__class__ is Missing else abs(x) for x in inner(env, idx)]  # type: ignore[arg-type]
    if fname == "round":
        digits = args[1] if len(args) == 2 else (lambda env, idx: [0.0] * len(idx))
        return _binary(_round, args[0], digits)
    raise AssertionError(fname)


def _round(x: float, digits: float) -> Value:
    n = max(-15, min(15, int(digits)))
    scaled = abs(x) * 10.0**n
    # Half away from zero like the rounding of displayed points; round(…, 6) removes binary
    # noise so that 2.675 rounds to 2.68 as a person expects.
    return _checked(math.copysign(math.floor(round(scaled, 6) + 0.5) / 10.0**n, x))


def _if(cond: Runner, then: Runner, other: Runner) -> Runner:
    def run(env: _Env, idx: Sequence[int]) -> Column:
        flags = cond(env, idx)
        out: Column = list(flags)
        yes = [p for p, v in enumerate(flags) if v.__class__ is not Missing and v != 0.0]
        no = [p for p, v in enumerate(flags) if v.__class__ is not Missing and v == 0.0]
        for positions, branch in ((yes, then), (no, other)):
            if positions:
                values = branch(env, [idx[p] for p in positions])
                for p, v in zip(positions, values, strict=True):
                    out[p] = v
        return out

    return run


# --- public --------------------------------------------------------------------------------


class Formula:
    """A compiled formula. `names` are names read directly, `prev_names` those read by prev()."""

    __slots__ = ("text", "names", "prev_names", "_run", "_ast")

    def __init__(self, text: str, ast: Node, names: set[str], prev_names: set[str]) -> None:
        self.text = text
        self._ast = ast
        self.names = frozenset(names)
        self.prev_names = frozenset(prev_names)
        self._run = _compile(ast)

    @property
    def single_name(self) -> str | None:
        """The element code when the formula is just that element, else None."""
        return self._ast[1] if self._ast[0] == "name" else None

    def evaluate_detailed(
        self,
        columns: Mapping[str, Sequence[float | None]],
        n: int,
        prev_columns: Mapping[str, Sequence[float | None]] | None = None,
    ) -> Column:
        """Values for rows 0..n-1 as floats or `Missing` markers saying why."""
        return self._run(_Env(columns, prev_columns or {}), range(n))

    def evaluate_rows(
        self,
        columns: Mapping[str, Sequence[float | None]],
        rows: Sequence[int],
        prev_columns: Mapping[str, Sequence[float | None]] | None = None,
    ) -> Column:
        """Like evaluate_detailed, for the given row indexes only (in that order)."""
        return self._run(_Env(columns, prev_columns or {}), rows)

    def evaluate_columns(
        self,
        columns: Mapping[str, Sequence[float | None]],
        n: int,
        prev_columns: Mapping[str, Sequence[float | None]] | None = None,
    ) -> list[float | None]:
        values = self.evaluate_detailed(columns, n, prev_columns)
        return [None if v.__class__ is Missing else v for v in values]  # type: ignore[misc]

    def evaluate(
        self,
        values: Mapping[str, float | None],
        prev: Mapping[str, float | None] | None = None,
    ) -> float | None:
        """Convenience for one row."""
        columns = {k: [v] for k, v in values.items()}
        prev_columns = {k: [v] for k, v in (prev or {}).items()}
        return self.evaluate_columns(columns, 1, prev_columns)[0]

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


# Element types whose every value is a whole number of things: a count, or 0/1 (an occurrence).
COUNT_TYPES = frozenset({"integer", "boolean"})


def not_a_count(formula: Formula, types: Mapping[str, str]) -> str | None:
    """Why `formula` may give other values than whole numbers — None when it counts.

    A count is built from integer and boolean data elements (`types`: code → element type) and
    whole numbers with `+ - *`, `min`, `max`, `abs` and `if` (whose condition may be anything);
    a comparison, `and`, `or` and `not` give 0 or 1 whatever they compare. Division, `round` and
    decimal or percent elements measure amounts and shares, not occurrences (issue #18: rule
    `per_item` counts occurrences; `per` counts whole groups of an amount)."""
    return _not_a_count(formula._ast, types)


def _not_a_count(node: Node, types: Mapping[str, str]) -> str | None:
    kind = node[0]
    if kind == "num":
        value = float(node[1])
        return None if value.is_integer() else f"the number {value:g} is not whole"
    if kind in ("name", "prev"):
        element_type = types.get(node[1])
        if element_type is None or element_type in COUNT_TYPES:
            return None
        return f"'{node[1]}' is a {element_type} data element, not a count"
    if kind in ("cmp", "and", "or", "not"):
        return None
    if kind == "neg":
        return _not_a_count(node[1], types)
    if kind == "chain":
        if any(op == "/" for op, _operand in node[2]):
            return "the measure divides ('/'); to count whole groups use 'per'"
        parts: tuple[Node, ...] = (node[1], *(operand for _op, operand in node[2]))
    elif node[1] == "round":
        return "round() makes a count of an amount; to count whole groups use 'per'"
    elif node[1] == "if":
        parts = node[2][1:]
    else:  # min, max, abs
        parts = node[2]
    for part in parts:
        reason = _not_a_count(part, types)
        if reason is not None:
            return reason
    return None


def compile_formula(
    text: str, *, names: Collection[str] | None = None, allow: Collection[str] = ()
) -> Formula:
    """Compile `text`; `names` are the data element codes (None: any name), `allow` extra names."""
    if not isinstance(text, str):
        raise FormulaError("formula must be text", 0)
    key_names = None if names is None else frozenset(names)
    return _compile_cached(text, key_names, frozenset(allow))


@lru_cache(maxsize=4096)
def _compile_cached(text: str, names: frozenset[str] | None, allow: frozenset[str]) -> Formula:
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(text, names, allow)
    ast = parser.parse()
    return Formula(text, ast, parser.used, parser.used_prev)
