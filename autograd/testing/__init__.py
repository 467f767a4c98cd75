"""Tools for testing gradients: yours, your ops', and the engine's.

* ``gradcheck(f, inputs)``: the engine's gradient of ``f`` against central
  differences; on a mismatch, a table and the op whose local rule is wrong;
* ``gradgradcheck(f, inputs)``: the same for second derivatives;
* ``autograd.testing.strategies`` (needs hypothesis): ``reals``, ``values`` and
  ``expressions``, random formulas with shared subexpressions, for property tests;
* ``Expression``: what ``expressions`` draws, callable on Values and on floats;
* ``torch_reference(f, inputs)`` (needs the ``torch`` extra): PyTorch's value
  and gradients of the same function or expression, a third oracle.

A property test to copy (with hypothesis installed)::

    from hypothesis import given
    from autograd.testing import gradcheck
    from autograd.testing.strategies import expressions

    @given(expressions(max_depth=3))
    def test_every_gradient_matches_central_differences(expr):
        assert gradcheck(expr, expr.inputs)

This package imports hypothesis only in ``strategies``, and torch only when
``torch_reference`` is called.
"""

from .expression import OPS, Expression, Node
from .gradcheck import KinkWarning, gradcheck, gradgradcheck
from .torch_reference import TorchReference, torch_reference

__all__ = ["gradcheck", "gradgradcheck", "KinkWarning", "Expression", "Node", "OPS",
           "torch_reference", "TorchReference"]
