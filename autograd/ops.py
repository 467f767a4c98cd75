"""The op table: one row per op, and every part of the engine reads its op from the row.

An op maps operand values ``a, b, ...`` to a result ``out``. Its row holds

* ``forward(a, b, ...)``: the result, on floats;
* ``local_grads(out, a, b, ...)``: the local derivatives ``(∂out/∂a, ∂out/∂b, ...)``;
* ``domain``: where it is defined, in words (for errors) and as a distance from
  the edge (for the testing strategies, which sample inside it);
* ``kink``: where its derivative jumps, if anywhere;
* ``display``: how a formula writes it (``{0} + {1}``, ``tanh({0})``);
* ``params``: the constants of a parametrised op (the exponent of ``x ** k``).

The backward walk multiplies each local derivative by the gradient flowing into
``out`` (the chain rule: ``∂L/∂a = ∂L/∂out · ∂out/∂a``) and adds it to ``a``.

A rule is written once, in arithmetic and the functions of ``autograd.math``,
so it runs on floats (``backward()``), on Values (``create_graph=True``, a
derivative that is a graph) and on symbols (``compile`` writes it out as code;
the player writes it as a formula). No other module knows what any op is.

This module knows nothing of graphs: ``value.py`` records the ops and
``backprop.py`` walks them.
"""

from __future__ import annotations

import inspect
import math as _math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import add, mul, neg, sub, truediv
from typing import Any
from collections.abc import Callable, Mapping, Sequence

from . import math as am

# Precedence of what a display form writes, loosest first, for placing parentheses.
SUM, PRODUCT, UNARY, POWER, ATOM = range(5)


@dataclass(frozen=True)
class Domain:
    """Where an op is defined: ``text`` for error messages, ``distance`` for sampling inside it.

    ``distance(*operands)`` is how far the operands are from the domain's edge
    (> 0 inside, <= 0 on the edge or outside); None means every finite real.
    """

    text: str = ""
    distance: Callable[..., float] | None = None


EVERYWHERE = Domain()
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Opaque:
    """A stand-in operand that no arithmetic, comparison or ``autograd.math`` function accepts."""

    __slots__ = ()


def _constant_derivatives(rule: Callable[..., Sequence[Any]], arity: int | None) -> tuple[float, ...] | None:
    """``rule``'s derivatives if they are finite numbers whatever the operands, else None.

    The rule is run on stand-ins that nothing can compute with: if it still
    returns one real number per operand, those numbers cannot depend on the
    operands (``lambda out, a, b: (1.0, 1.0)``). A rule that reads an operand
    (``(b, a)``), computes with one or compares one returns a stand-in or raises, and is None here.
    """
    if arity is None:
        return None
    try:
        local = tuple(rule(*[_Opaque()] * (arity + 1)))
    except Exception:  # any failure on stand-ins means the rule reads its operands
        return None
    if len(local) != arity or not all(type(d) in (float, int) and _math.isfinite(d) for d in local):
        return None
    return tuple(float(d) for d in local)


@dataclass(frozen=True, eq=False)
class Op:
    """One row of the table, or an op of your own: ``Op(name, forward, local_grads)``.

    ``name`` is what drawings and ``node.op`` show. ``arity`` is the number
    of operands (read from ``forward``'s signature when not given; None for
    any number). ``domain`` is a ``Domain`` or its words. ``kink(*operands)``
    is the kink variable: the derivative jumps where it crosses 0 (relu: ``a``,
    max: ``a - b``). ``display`` is a format over the operands ``{0}, {1}, ...``
    and ``params``, at ``precedence`` (ATOM for a call form); an op of any number
    of operands writes itself with ``display_many``; ``noun`` says what its
    result is in a caption ("the product"). Write
    ``local_grads`` with arithmetic and ``autograd.math``, so that it serves
    higher-order gradients, ``compile`` and captions alike.
    """

    name: str
    forward: Callable[..., Any]
    local_grads: Callable[..., Sequence[Any]]
    domain: Domain | str = EVERYWHERE
    arity: int | None = -1
    kink: Callable[..., Any] | None = None
    display: str = ""
    precedence: int = ATOM
    params: Mapping[str, float] = field(default_factory=dict)
    family: str = ""
    sample_arity: int = 0
    word: str = ""
    noun: str = ""
    display_many: Callable[[Sequence[str]], str] | None = None
    constant_grads: tuple[float, ...] | None = field(init=False, default=None, repr=False)
    """The rule's derivatives when they are the same finite numbers at every point (``+``: ``(1.0, 1.0)``), else None:
    derived from ``local_grads`` (``_constant_derivatives``), so the backward walk on floats need not call it."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Op name must be a str, got {type(self.name).__name__}: {self.name!r}")
        for part in ("forward", "local_grads"):
            if not callable(getattr(self, part)):
                raise TypeError(f"Op {self.name!r}: {part} must be callable, got {getattr(self, part)!r}")
        if isinstance(self.domain, str):
            object.__setattr__(self, "domain", Domain(self.domain))
        if self.arity == -1:
            object.__setattr__(self, "arity", _arity_of(self.forward))
        if not self.display:  # a call form: name(a, b)
            escaped = self.name.replace("{", "{{").replace("}", "}}")
            slots = ", ".join(f"{{{i}}}" for i in range(self.arity or 0))
            object.__setattr__(self, "display", f"{escaped}({slots})")
        if not self.word:  # a word for generated code's variables: tanh, leaky_relu, op
            prefix = _WORD.match(self.name)
            object.__setattr__(self, "word", prefix.group() if prefix else "op")
        if not self.sample_arity:
            object.__setattr__(self, "sample_arity", self.arity or 0)
        object.__setattr__(self, "constant_grads", _constant_derivatives(self.local_grads, self.arity))

    @property
    def words(self) -> str:
        """The domain in words, "" for an op defined on every finite real."""
        return self.domain.text if isinstance(self.domain, Domain) else self.domain

    @property
    def distance(self) -> Callable[..., float] | None:
        """How far operands are inside the domain (> 0 inside); None for every finite real."""
        return self.domain.distance if isinstance(self.domain, Domain) else None

    def write(self, operands: Sequence[tuple[str, int]]) -> tuple[str, int]:
        """The op applied to operand texts, each ``(text, precedence)``, as ``(text, precedence)``.

        An operand is parenthesised when it binds more loosely than the op, or
        as loosely and not in first place (``a - (b - c)``), or as loosely under
        ``**``, which groups to the right (``(a**b)**c``).
        """
        if self.arity is None:  # an op of any number of operands
            texts = [text if precedence > self.precedence else f"({text})" for text, precedence in operands]
            if self.display_many is not None:
                return self.display_many(texts), self.precedence
            return f"{self.name}({', '.join(texts)})", ATOM
        texts = []
        for i, (text, precedence) in enumerate(operands):
            first = self.display.startswith(f"{{{i}}}")
            wrap = self.precedence < ATOM and (
                precedence < self.precedence
                or (precedence == self.precedence and (not first or self.precedence == POWER)))
            texts.append(f"({text})" if wrap else text)
        return self.display.format(*texts, **{k: f"{v:g}" for k, v in self.params.items()}), self.precedence

    def __call__(self, *operands: Any) -> Any:
        """Apply the op to Values (numbers beside them become constants): ``op(x, y)``, recording the node.

        The operands' own type applies it (``Value.apply``), so this table
        needs to know nothing of nodes.
        """
        for x in operands:
            apply = getattr(type(x), "apply", None)
            if apply is not None:
                return apply(self, *operands)
        raise TypeError(f"{self.name} takes Values, or numbers beside a Value; got "
                        f"{', '.join(type(x).__name__ for x in operands) or 'no operands'}")

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


def _arity_of(forward: Callable[..., Any]) -> int | None:
    """The number of positional operands ``forward`` takes; None if it takes any number."""
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty for p in parameters)


@dataclass(frozen=True, eq=False)
class Family:
    """Parametrised ops, one per constant: ``power(2.0)`` is the op ``x ** 2``.

    ``make(p)`` builds the op for ``p`` (cached, so the same ``p`` is the same
    op); ``examples`` are constants the testing strategies draw.
    """

    name: str
    make: Callable[[float], Op]
    examples: tuple[float, ...]

    def __call__(self, p: float) -> Op:
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            raise TypeError(f"{self.name} takes a number, got {type(p).__name__}: {p!r}")
        return self.make(float(p))

    def __repr__(self) -> str:
        return f"Family({self.name!r})"


# ------------------------------------------------------------------ errors

FORWARD_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
"""What a float forward raises outside its domain."""
DOMAIN_ERRORS = (am.DomainError, ZeroDivisionError, OverflowError)
"""What a rule written in ``autograd.math`` raises where a derivative is not finite. Any other
exception from a rule is a bug in the rule and surfaces as itself."""


def describe(node: Any) -> str:
    """A node for an error message: its number and its label."""
    return f"{node.data!r} ({'Value ' + repr(node.label) if node.label else 'unlabelled'})"


def op_error(op: Op, operands: Sequence[Any], cause: BaseException, *, in_backward: bool = False) -> Exception:
    """The error for ``op`` failing on ``operands``: the type of ``cause``, saying what and where."""
    values = ", ".join(describe(v) for v in operands[:4])
    if len(operands) > 4:  # a fused node (linear, a compiled function) can have hundreds
        values += f" and {len(operands) - 4} more operands"
    kind = type(cause) if isinstance(cause, (ZeroDivisionError, OverflowError)) else ValueError
    if in_backward:
        return kind(f"backward: the derivative of {op.name} at {values} is not finite ({cause}); "
                    "nothing was written to any .grad")
    if op.words:
        return kind(f"{op.name} failed on {values}: it needs {op.words} ({cause})")
    return kind(f"{op.name} failed on {values}: {cause}")


# ------------------------------------------------------------------ rules


def _relu(x: Any) -> Any:
    return am.where(x > 0.0, x, 0.0)


def _max(a: Any, b: Any) -> Any:
    return am.where(a >= b, a, b)


def _min(a: Any, b: Any) -> Any:
    return am.where(a <= b, a, b)


def _sign(x: Any) -> Any:
    """d|x|/dx: 1, -1, or the subgradient 0 at the kink."""
    return am.where(x > 0.0, 1.0, am.where(x < 0.0, -1.0, 0.0))


def _d_power_d_exponent(out: Any, a: Any) -> Any:
    """∂(aᵇ)/∂b = aᵇ·log a. At a = 0 (where b > 0) aᵇ is 0 for every nearby b, so it is 0 = 0·log 1."""
    return out * am.log(am.where(a > 0.0, a, am.where(a < 0.0, a, 1.0)))


def weighted_sum(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> Any:
    """b + w₁x₁ + w₂x₂ + ...: the forward of ``LINEAR``, summed in the order micrograd's ``sum(..., b)`` adds.

    A loop rather than ``reduce(add, map(mul, ...))``: on floats the interpreter's own ``+`` and ``*``
    are faster than calls of ``operator.add`` and ``operator.mul``.
    """
    total = bias
    for w, x in zip(weights, inputs):  # noqa: B905 - of equal length (checked by the callers); strict costs a call
        total = total + w * x
    return total


def weighted_sum_partials(weights: Sequence[Any], inputs: Sequence[Any]) -> tuple[Any, ...]:
    """The rule of ``LINEAR``: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1, in the order of its operands (w..., x..., b)."""
    return (*inputs, *weights, 1.0)


def _linear_forward(*operands: Any) -> Any:
    n = len(operands) // 2
    return weighted_sum(operands[:n], operands[n:2 * n], operands[-1])


def _linear_display(texts: Sequence[str]) -> str:
    """b + w₁·x₁ + ... + wₙ·xₙ over operand texts (w₁..wₙ, x₁..xₙ, b), the middle elided past three terms."""
    n = len(texts) // 2
    terms = [f"{w} * {x}" for w, x in zip(texts[:n], texts[n:2 * n], strict=True)]
    shown = terms if n <= 3 else [terms[0], "…", terms[-1]]
    return " + ".join([texts[-1], *shown])


def _linear_local_grads(out: Any, *operands: Any) -> tuple[Any, ...]:
    n = len(operands) // 2
    return weighted_sum_partials(operands[:n], operands[n:2 * n])


def _positive(a: float, *_: float) -> float:
    return a


def _distance_from_zero(a: float, *_: float) -> float:
    return _math.fabs(a)


def _nonzero_divisor(a: float, b: float) -> float:
    return _math.fabs(b)


def _exp_fits(a: float) -> float:
    return 709.78 - a


def _first(a: float, *_: float) -> float:
    return a


def _difference(a: float, b: float) -> float:
    return a - b


_POWER_WORDS = ("a base > 0, or a base of 0 with exponent >= 0, or a negative base with an integer exponent; "
                "and a result that fits in a float")

# ------------------------------------------------------------------ the table
# name            forward          local derivatives (out, operands...)            the rest

ADD = Op("+", add, lambda out, a, b: (1.0, 1.0), display="{0} + {1}", precedence=SUM, word="add",
         noun="the sum")
SUB = Op("-", sub, lambda out, a, b: (1.0, -1.0), display="{0} - {1}", precedence=SUM, word="sub",
         noun="the difference")
MUL = Op("*", mul, lambda out, a, b: (b, a), display="{0} * {1}", precedence=PRODUCT, word="mul",
         noun="the product")
DIV = Op("/", truediv, lambda out, a, b: (1.0 / b, -out / b),
         Domain("a divisor other than 0", _nonzero_divisor), display="{0} / {1}", precedence=PRODUCT, word="div",
         noun="the quotient")
POW = Op("**", am.FLOAT_KERNELS["power"], lambda out, a, b: (b * a ** (b - 1.0), _d_power_d_exponent(out, a)),
         Domain(_POWER_WORDS, _positive), display="{0}**{1}", precedence=POWER, word="pow",
         noun="the power")
NEG = Op("neg", neg, lambda out, a: (-1.0,), display="-{0}", precedence=UNARY, noun="the negation")
ABS = Op("abs", abs, lambda out, a: (_sign(a),), kink=_first)
EXP = Op("exp", _math.exp, lambda out, a: (out,), Domain("an input whose exp fits in a float (x <= 709.78)", _exp_fits))
LOG = Op("log", am.FLOAT_KERNELS["log"], lambda out, a: (1.0 / a,), Domain("an input > 0", _positive))
SQRT = Op("sqrt", am.FLOAT_KERNELS["sqrt"], lambda out, a: (0.5 / out,), Domain("an input >= 0", _positive))
SIN = Op("sin", _math.sin, lambda out, a: (am.cos(a),))
COS = Op("cos", _math.cos, lambda out, a: (-am.sin(a),))
TANH = Op("tanh", _math.tanh, lambda out, a: (1.0 - out * out,))
ATAN = Op("atan", _math.atan, lambda out, a: (1.0 / (1.0 + a * a),))
SIGMOID = Op("sigmoid", am.FLOAT_KERNELS["sigmoid"], lambda out, a: (out * (1.0 - out),))
SOFTPLUS = Op("softplus", am.FLOAT_KERNELS["softplus"], lambda out, a: (am.sigmoid(a),))
RELU = Op("relu", _relu, lambda out, a: (am.where(a > 0.0, 1.0, 0.0),), kink=_first)
# max and min pass the gradient to the operand they return. On a tie (a == b) that is the first,
# a: (1, 0) is a subgradient there, as relu's 0 is at its kink.
MAX = Op("max", _max, lambda out, a, b: (am.where(a >= b, 1.0, 0.0), am.where(a >= b, 0.0, 1.0)), kink=_difference)
MIN = Op("min", _min, lambda out, a, b: (am.where(a <= b, 1.0, 0.0), am.where(a <= b, 0.0, 1.0)), kink=_difference)
# b + Σ wᵢxᵢ as one node over operands (w₁..wₙ, x₁..xₙ, b): weighted_sum and weighted_sum_partials.
LINEAR = Op("Σwx+b", _linear_forward, _linear_local_grads, arity=None, sample_arity=5, word="linear",
            precedence=SUM, display_many=_linear_display, noun="the neuron sum")


@lru_cache(maxsize=256)
def _power(k: float) -> Op:
    """x ** k for a constant exponent k: d/dx x^k = k·x^(k-1); k itself gets no gradient.

    An integer k needs none of the real power's checks (Python's float ** int
    is real, and raises on 0 ** -1), so its forward is plain ``a ** k``. The
    derivative of x⁰ is 0 everywhere, 0 included, where k·x^(k-1) would divide by 0.
    """
    if k == int(k):
        forward: Callable[[Any], Any] = lambda a: a ** k  # noqa: E731
        distance = None if k >= 0 else _distance_from_zero
    else:
        def forward(a: Any) -> Any:
            return am.FLOAT_KERNELS["power"](a, k)
        distance = _positive
    rule: Callable[[Any, Any], tuple[Any]] = ((lambda out, a: (0.0,)) if k == 0 else
                                              (lambda out, a: (k * a ** (k - 1.0),)))
    return Op(f"**{k:g}", forward, rule, Domain(_POWER_WORDS, distance), arity=1,
              display="{0}**{k}", precedence=POWER, params={"k": k}, family="**k", word="pow",
              noun="the power")


@lru_cache(maxsize=64)
def _leaky_relu(slope: float) -> Op:
    """x for x > 0, else slope·x; its derivative is 1 or slope."""
    return Op(f"leaky_relu({slope:g})", lambda a: am.where(a > 0.0, a, slope * a),
              lambda out, a: (am.where(a > 0.0, 1.0, slope),), arity=1, kink=_first,
              display="leaky_relu({0}, {slope})", params={"slope": slope}, family="leaky_relu")


power = Family("**k", _power, (2.0, 3.0, -1.0, 0.5, -2.0, 1.5))
leaky_relu = Family("leaky_relu", _leaky_relu, (0.1, 0.01))

TABLE: tuple[Op | Family, ...] = (
    ADD, MUL, SUB, DIV, TANH, ATAN, EXP, LOG, power, POW, NEG, ABS, SQRT, SIN, COS, SIGMOID, SOFTPLUS, RELU,
    leaky_relu, MAX, MIN, LINEAR,
)
"""Every op and family of the engine, simplest first (the testing strategies shrink towards the first)."""
