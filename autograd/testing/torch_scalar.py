"""``TorchScalar``: a 0-d float64 PyTorch tensor that answers to ``Value``'s operators and methods.

A function written for ``Value``s (``(x * y).tanh() + y.softplus()``) runs
unchanged on ``TorchScalar``s, and PyTorch records it and differentiates it
with its own rules: so PyTorch can be an oracle for our engine. Each op is
PyTorch's own:

* ``+ - * / **`` (a number on either side), unary ``-``, ``abs()``, ``exp log
  sqrt sin cos tanh sigmoid relu``: the tensor operators and methods of the
  same name;
* ``leaky_relu(slope)``: ``torch.nn.functional.leaky_relu``;
* ``softplus()``: ``torch.logaddexp(x, 0)``, that is ``log(1 + eˣ)`` for
  every x. (``torch.nn.functional.softplus`` returns x itself above its
  threshold of 20, so its derivative there is 1 where ours is σ(x).)
* ``a.max(b)``, ``a.min(b)``: ``torch.maximum``, ``torch.minimum``. On a tie
  PyTorch splits the gradient, ½ to each operand; ours gives it all to ``a``.

Where our engine raises (``log`` of a negative number, say), PyTorch returns
nan. ``.data`` is the float; there is no ``__float__``, so ``math.tanh(x)``
raises instead of silently leaving the graph. This module imports torch.
"""

from __future__ import annotations

import numbers
from typing import Any

from ..optional import missing_extra

try:
    import torch
    import torch.nn.functional as F
except ModuleNotFoundError as missing:
    raise missing_extra("autograd.testing.torch_reference", "torch", missing) from missing


def scalar_tensor(x: float, requires_grad: bool = False) -> torch.Tensor:
    """``x`` as a 0-d float64 tensor."""
    return torch.tensor(x, dtype=torch.float64, requires_grad=requires_grad)


class TorchScalar:
    """A 0-d float64 tensor (``.tensor``) with ``Value``'s surface; see the module docstring."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: torch.Tensor) -> None:
        if tensor.dim() != 0 or tensor.dtype != torch.float64:
            raise ValueError(f"TorchScalar holds a 0-d float64 tensor, got shape {tuple(tensor.shape)} {tensor.dtype}")
        self.tensor = tensor

    @property
    def data(self) -> float:
        return float(self.tensor.detach())

    def __repr__(self) -> str:
        return f"TorchScalar({self.data!r})"

    # ------------------------------------------------------------ operators
    def __add__(self, other: Any) -> TorchScalar:
        return TorchScalar(self.tensor + _tensor(other, "+"))

    def __radd__(self, other: Any) -> TorchScalar:
        return TorchScalar(_tensor(other, "+") + self.tensor)

    def __sub__(self, other: Any) -> TorchScalar:
        return TorchScalar(self.tensor - _tensor(other, "-"))

    def __rsub__(self, other: Any) -> TorchScalar:
        return TorchScalar(_tensor(other, "-") - self.tensor)

    def __mul__(self, other: Any) -> TorchScalar:
        return TorchScalar(self.tensor * _tensor(other, "*"))

    def __rmul__(self, other: Any) -> TorchScalar:
        return TorchScalar(_tensor(other, "*") * self.tensor)

    def __truediv__(self, other: Any) -> TorchScalar:
        return TorchScalar(self.tensor / _tensor(other, "/"))

    def __rtruediv__(self, other: Any) -> TorchScalar:
        return TorchScalar(_tensor(other, "/") / self.tensor)

    def __pow__(self, other: Any) -> TorchScalar:
        if isinstance(other, TorchScalar):
            return TorchScalar(torch.pow(self.tensor, other.tensor))
        return TorchScalar(torch.pow(self.tensor, _number(other, "**")))  # a constant exponent, as ours

    def __rpow__(self, other: Any) -> TorchScalar:
        return TorchScalar(torch.pow(_tensor(other, "**"), self.tensor))

    def __neg__(self) -> TorchScalar:
        return TorchScalar(-self.tensor)

    def __pos__(self) -> TorchScalar:
        return self

    def __abs__(self) -> TorchScalar:
        return TorchScalar(torch.abs(self.tensor))

    # Ordering compares data, as Value's does, so Python's max() and sorted() work alike.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other)

    # ------------------------------------------------------------ functions
    def exp(self) -> TorchScalar:
        return TorchScalar(torch.exp(self.tensor))

    def log(self) -> TorchScalar:
        return TorchScalar(torch.log(self.tensor))

    def sqrt(self) -> TorchScalar:
        return TorchScalar(torch.sqrt(self.tensor))

    def sin(self) -> TorchScalar:
        return TorchScalar(torch.sin(self.tensor))

    def cos(self) -> TorchScalar:
        return TorchScalar(torch.cos(self.tensor))

    def tanh(self) -> TorchScalar:
        return TorchScalar(torch.tanh(self.tensor))

    def atan(self) -> TorchScalar:
        return TorchScalar(torch.atan(self.tensor))

    def sigmoid(self) -> TorchScalar:
        return TorchScalar(torch.sigmoid(self.tensor))

    def softplus(self) -> TorchScalar:
        """``log(1 + eˣ)`` as ``torch.logaddexp(x, 0)``; see the module docstring."""
        return TorchScalar(torch.logaddexp(self.tensor, scalar_tensor(0.0)))

    def relu(self) -> TorchScalar:
        return TorchScalar(torch.relu(self.tensor))

    def leaky_relu(self, slope: float = 0.01) -> TorchScalar:
        return TorchScalar(F.leaky_relu(self.tensor, _number(slope, "leaky_relu")))

    def max(self, other: Any) -> TorchScalar:
        return TorchScalar(torch.maximum(self.tensor, _tensor(other, "max")))

    def min(self, other: Any) -> TorchScalar:
        return TorchScalar(torch.minimum(self.tensor, _tensor(other, "min")))


def result_tensor(result: Any, what: str) -> torch.Tensor:
    """``what``, a function's result, as a 0-d float64 tensor.

    A TorchScalar's own tensor, a 0-d tensor, or a number (a constant).
    """
    if isinstance(result, TorchScalar):
        return result.tensor
    if isinstance(result, torch.Tensor) and result.dim() == 0:
        return result.to(torch.float64)
    if isinstance(result, numbers.Real):
        return scalar_tensor(float(result))
    raise TypeError(f"{what} should be a TorchScalar, a 0-d tensor or a number, "
                    f"got {type(result).__name__}: {result!r}")


def gradients(out: torch.Tensor, leaves: list[torch.Tensor]) -> list[float]:
    """∂out/∂leaf for each leaf, by ``torch.autograd``: 0.0 for a leaf that ``out`` does not depend on."""
    if not out.requires_grad:
        return [0.0] * len(leaves)
    grads = torch.autograd.grad(out, leaves, allow_unused=True)
    return [0.0 if g is None else float(g) for g in grads]


def _number(x: Any, op: str) -> float:
    if not isinstance(x, numbers.Real):
        raise TypeError(f"{op} takes TorchScalars or real numbers, got {type(x).__name__}: {x!r}")
    return float(x)


def _tensor(x: Any, op: str) -> torch.Tensor:
    """An operand as a tensor: a TorchScalar's own, or a number as a constant (no gradient)."""
    return x.tensor if isinstance(x, TorchScalar) else scalar_tensor(_number(x, op))


def _data(x: Any) -> float:
    return x.data if isinstance(x, TorchScalar) else _number(x, "comparison")
