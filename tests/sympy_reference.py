"""Exact values and derivatives with sympy: the reference the engine is tested against.

``exact(formula, symbols)`` turns a sympy formula into a function of floats that
evaluates it, and any of its derivatives, with 40 significant digits at the
exact binary value of the inputs (mpmath). ``SYMPY_OPS`` writes every op of the
engine's table (``autograd.ops.TABLE``) in sympy, by its name (a family by the
family's name, with its constants as keywords), for drawn expressions; a test
checks that it covers the table.
"""

from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import sympy as sp

mpmath.mp.dps = 40


def real_symbols(n: int) -> list[sp.Symbol]:
    """x0, x1, ... as real symbols (so that d|x|/dx is sign(x))."""
    return list(sp.symbols(f"x0:{n}", real=True))


def exact_number(x: float) -> sp.Rational:
    """A float's exact value (an exponent such as 0.5 stays exactly 1/2)."""
    return sp.Rational(x)


# The kinked ops are written with sympy's Heaviside step (whose value at 0 is given) rather than
# Piecewise: sympy folds a Piecewise inside another's condition into every combination of branches,
# and a branch not taken may be singular (relu(log(relu(x))) has log(0) there), which it cannot compare.


def step(a: sp.Expr, at_zero: int) -> sp.Expr:
    """1 for a > 0, 0 for a < 0, ``at_zero`` at 0; its derivative is 0 (DiracDelta, dropped by ``exact``)."""
    return sp.Heaviside(a, at_zero)


def relu(a: sp.Expr) -> sp.Expr:
    """max(a, 0), with derivative 0 at 0, as the engine takes it."""
    return a * step(a, 0)


def leaky_relu(a: sp.Expr, slope: float) -> sp.Expr:
    """a for a > 0, else slope·a, with derivative slope at 0, as the engine takes it."""
    k = exact_number(slope)
    return k * a + (1 - k) * a * step(a, 0)


def maximum(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """max(a, b) = b + (a − b)·[a >= b], with derivatives (1, 0) on a tie, as the engine takes them."""
    return b + (a - b) * step(a - b, 1)


def minimum(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """min(a, b) = b + (a − b)·[a <= b], with derivatives (1, 0) on a tie, as the engine takes them."""
    return b + (a - b) * step(b - a, 1)


def _heaviside(a: mpmath.mpf, at_zero: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(1) if a > 0 else mpmath.mpf(0) if a < 0 else mpmath.mpf(at_zero)


def sigmoid(a: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-a))


def softplus(a: sp.Expr) -> sp.Expr:
    return sp.log(1 + sp.exp(a))


SYMPY_OPS: dict[str, Callable[..., sp.Expr]] = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "-": lambda a, b: a - b,
    "/": lambda a, b: a / b,
    "tanh": sp.tanh,
    "atan": sp.atan,
    "exp": sp.exp,
    "log": sp.log,
    "**k": lambda a, k: a ** exact_number(k),
    "**": lambda a, b: a ** b,
    "neg": lambda a: -a,
    "abs": sp.Abs,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "sigmoid": sigmoid,
    "softplus": softplus,
    "relu": relu,
    "leaky_relu": lambda a, slope: leaky_relu(a, slope),
    "max": maximum,
    "min": minimum,
    "Σwx+b": lambda *operands: operands[-1] + sum(
        w * x for w, x in zip(operands[:len(operands) // 2], operands[len(operands) // 2:-1], strict=True)),
}


def in_sympy(op, *operands: sp.Expr) -> sp.Expr:
    """``op`` (a row of the table) applied to sympy operands."""
    return SYMPY_OPS[op.family or op.name](*operands, **op.params)


def expression_in_sympy(expr, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """A drawn ``autograd.testing.Expression`` as a sympy formula over ``symbols``."""
    def apply(op, *operands):
        return in_sympy(op, *[exact_number(o) if isinstance(o, float) else o for o in operands])

    return expr.evaluate(list(symbols), apply)


def exact(formula: sp.Expr, symbols: Sequence[sp.Symbol]) -> Callable[..., float]:
    """The formula as a function of floats, evaluated exactly (to 40 digits) and rounded to a float."""
    # d²|x|/dx² = 2δ(x), and d sign(u)/dx: zero everywhere but at the kink, where the engine takes 0 too.
    formula = formula.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
    formula = formula.replace(lambda e: isinstance(e, sp.Derivative) and e.expr.func is sp.sign,
                              lambda e: sp.S.Zero)
    # A branch for the kink itself (x = 0 in d sqrt(relu(x))/dx) may hold zoo, which no printer can write:
    # the engine is never compared there (the strategies keep inputs off kinks), so it becomes NaN.
    formula = formula.xreplace({sp.zoo: sp.nan})
    # Heaviside is called as it is, not printed as a Piecewise (which would be folded, as above).
    f = sp.lambdify(list(symbols), formula, modules=[{"Heaviside": _heaviside}, "mpmath"])
    return lambda *xs: float(f(*[mpmath.mpf(x) for x in xs]))


def gradient(formula: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[Callable[..., float]]:
    """∂formula/∂s for each symbol s, each as an exact function of floats."""
    return [exact(sp.diff(formula, s), symbols) for s in symbols]


def hessian(formula: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[list[Callable[..., float]]]:
    """∂²formula/∂sᵢ∂sⱼ, each as an exact function of floats."""
    return [[exact(sp.diff(formula, si, sj), symbols) for sj in symbols] for si in symbols]
