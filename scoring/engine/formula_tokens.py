"""Tokenizer of the formula language (see formula.py); ASCII only, positions kept for errors."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_DIGITS = 30
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = frozenset("0123456789")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", ",")


class FormulaError(ValueError):
    """A formula that cannot be accepted; `position` is the 0-based offset of the fault."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num | name | op | end
    text: str
    pos: int
    value: float = 0.0


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            assert match is not None
            literal = match.group()
            if sum(c.isdigit() for c in literal) > MAX_DIGITS:
                raise FormulaError(f"number with more than {MAX_DIGITS} digits", i)
            end = match.end()
            if end < n and (text[end].isalnum() or text[end] in "_."):
                raise FormulaError(f"invalid number '{text[i : end + 1]}'", i)
            value = float(literal)
            if not math.isfinite(value):
                raise FormulaError(f"number out of range '{literal}'", i)
            tokens.append(Token("num", literal, i, value))
            i = end
            continue
        if ch.isalpha() or ch == "_":
            match = _NAME.match(text, i)
            if match is None:  # a non-ASCII letter such as 'đ'
                raise FormulaError(f"unexpected character '{ch}'", i)
            end = match.end()
            if end < n and (text[end].isalpha() or text[end].isdigit()):
                raise FormulaError(f"unexpected character '{text[end]}'", end)
            tokens.append(Token("name", match.group(), i))
            i = end
            continue
        if text.startswith("**", i):
            raise FormulaError("'**' is not allowed (no powers)", i)
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            raise FormulaError(_bad_character(ch, tokens), i)
    tokens.append(Token("end", "", n))
    return tokens


def _bad_character(ch: str, tokens: list[Token]) -> str:
    if ch in "'\"":
        return "strings are not allowed"
    if ch == ".":
        after_operand = tokens and (tokens[-1].kind == "name" or tokens[-1].text == ")")
        return "attribute access is not allowed" if after_operand else "unexpected character '.'"
    if ch in "[]":
        return "indexing is not allowed"
    if ch == "=":
        return "use '==' to compare"
    if ch == "!":
        return "use 'not' for negation"
    return f"unexpected character {ch!r}"
