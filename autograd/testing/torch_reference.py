"""``torch_reference(f, inputs)``: PyTorch's value and gradients of the same function, a third oracle.

``gradcheck`` checks the engine against central differences, which are
approximate. PyTorch is an independent implementation of every derivative
rule, exact up to rounding: where both agree to 1e-9 in float64, a wrong rule
has nowhere to hide. ``torch_reference`` runs ``f`` on 0-d float64 tensors
that require gradients, backpropagates with ``torch.autograd``, and returns
PyTorch's result. A property test to copy (needs the ``torch`` extra)::

    import math
    from hypothesis import given
    from autograd import Value, grad
    from autograd.testing import torch_reference
    from autograd.testing.strategies import expressions

    @given(expressions(max_depth=3))
    def test_the_engine_agrees_with_pytorch(expr):
        leaves = [Value(x) for x in expr.inputs]
        out = expr(*leaves)
        ours = grad(out, leaves)
        theirs = torch_reference(expr, expr.inputs)
        assert math.isclose(out.data, theirs.value, rel_tol=1e-9, abs_tol=1e-9)
        assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(ours, theirs.grads, strict=True))

What it runs:

* a drawn ``Expression`` (``autograd.testing.strategies.expressions``): op by
  op, every op of ``autograd.testing.OPS``, each PyTorch's own (the table below);
* any other function: called on ``TorchScalar``s, tensors wrapped so that they
  answer to ``Value``'s operators and methods (``+ - * / **``, ``abs``,
  ``exp log sqrt sin cos tanh sigmoid softplus relu leaky_relu max min``). So
  a function written for Values runs unchanged; one that calls
  ``autograd.linear`` or ``math`` on its inputs raises ``TypeError``.
  ``x.tensor`` is the torch tensor, for PyTorch ops of your own.

Where PyTorch's conventions differ from ours, it keeps its own: on a tie
``max`` and ``min`` give each operand half the gradient (ours give it all to
the first), and where our engine raises (``log`` of a negative) PyTorch gives
nan. ``softplus`` is ``log(1 + eˣ)`` exactly, as ``torch.logaddexp(x, 0)``
(``torch.nn.functional.softplus`` turns into x above 20). See
``autograd.testing.torch_scalar``.

This module imports torch only when ``torch_reference`` is called; without
it, the call raises ImportError naming the extra ``scalar-autograd[torch]``.
"""

from __future__ import annotations

import operator
from typing import Any, NamedTuple
from collections.abc import Callable, Sequence

from ..value import Value
from ..ops import Op
from .expression import Expression

# Every op of autograd.testing.OPS (every entry of the op table), on TorchScalars, by the row's name or
# family; a family's constants come as keywords (power: k, leaky_relu: slope). A test checks it covers OPS.
TORCH_OPS: dict[str, Callable[..., Any]] = {
    "+": operator.add,
    "*": operator.mul,
    "-": operator.sub,
    "/": operator.truediv,
    "tanh": lambda a: a.tanh(),
    "atan": lambda a: a.atan(),
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "**k": lambda a, k: a ** k,
    "**": operator.pow,
    "neg": operator.neg,
    "abs": abs,
    "sqrt": lambda a: a.sqrt(),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "sigmoid": lambda a: a.sigmoid(),
    "softplus": lambda a: a.softplus(),
    "relu": lambda a: a.relu(),
    "leaky_relu": lambda a, slope: a.leaky_relu(slope),
    "max": lambda a, b: a.max(b),
    "min": lambda a, b: a.min(b),
    "Σwx+b": lambda *o: sum((w * x for w, x in zip(o[:len(o) // 2], o[len(o) // 2:-1], strict=True)), o[-1]),
}


class TorchReference(NamedTuple):
    """PyTorch's ``f(*inputs)`` (``value``) and its partial derivatives, one per input (``grads``)."""

    value: float
    grads: list[float]


def torch_reference(f: Callable[..., Any], inputs: Sequence[float | Value]) -> TorchReference:
    """PyTorch's value and gradient of ``f`` at ``inputs`` (floats, or Values whose data is used).

    ``f`` is an ``Expression`` or a function of ``TorchScalar``s (see the
    module docstring) returning a ``TorchScalar``, a 0-d tensor or a number (a
    number, or a result that does not depend on an input, has gradient 0).
    Everything is float64.
    """
    # Imported here, so that importing autograd.testing never imports torch; without it, this raises
    # an ImportError naming the extra.
    from .torch_scalar import TorchScalar, gradients, result_tensor, scalar_tensor

    leaves = [scalar_tensor(x.data if isinstance(x, Value) else float(x), requires_grad=True) for x in inputs]
    scalars = [TorchScalar(leaf) for leaf in leaves]

    def in_torch(op: Op, *operands: Any) -> Any:
        name = op.family or op.name
        if name not in TORCH_OPS:
            raise NotImplementedError(f"torch_reference has no PyTorch version of the op {name!r}")
        args = [TorchScalar(scalar_tensor(o)) if isinstance(o, float) else o for o in operands]
        return TORCH_OPS[name](*args, **op.params)

    result = f.evaluate(scalars, in_torch) if isinstance(f, Expression) else f(*scalars)
    out = result_tensor(result, f"torch_reference: the result of {getattr(f, '__qualname__', f)}")
    return TorchReference(float(out.detach()), gradients(out, leaves))
