"""scalar-autograd: a scalar autograd engine for learning, teaching and testing backprop.

The public face:

* ``Value``: a scalar node with ``data``, ``grad``, ``label``, ``op``, ``parents``
  and ``backward()``;
* ``grad(output, inputs, create_graph=False)``: gradients without touching
  ``.grad``, differentiable again with ``create_graph=True``;
* ``no_grad`` / ``enable_grad`` / ``is_grad_enabled``: switch graph recording;
* ``linear(weights, inputs, bias)``: ``b + Σ wᵢxᵢ`` as one fused node, and
  ``linear_layer(rows, inputs, biases)``, a layer of them reading the same inputs
  (rows that are ``ValueTuple``s, checked once when made, are not checked again);
* ``Op(name, forward, local_grads)`` and ``apply(op, *operands)``: ops of your own;
* ``topological_order`` and ``trace``: read a graph;
* ``draw_dot(root)``: the graph as a picture (needs the ``viz`` extra); importing
  autograd also points the ``graphviz`` package at graphviz-pure when there is
  no system ``dot`` (``autograd.renderer``), so a plain ``graphviz.Digraph`` renders too;
* ``step_through(root)``: backprop frame by frame, a player in Jupyter;
* ``compile(f)``: trace ``f`` once, then run its forward and backward as
  generated float code (``GraphTooLarge`` when its graph has more ops than that is worth);
* ``autograd.testing``: ``gradcheck`` and hypothesis strategies.
"""

from .backprop import grad, propagate
from .compile import GraphTooLarge, compile
from .draw import draw_dot
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .graph import topological_order, trace
from .graphviz_hook import point_graphviz_at_renderer_when_imported
from .ops import Op
from .steps import Steps, step_through
from .value import Value, ValueTuple, apply, linear, linear_layer

point_graphviz_at_renderer_when_imported()

__all__ = [
    "Value", "ValueTuple", "grad", "propagate", "no_grad", "enable_grad", "is_grad_enabled",
    "linear", "linear_layer", "topological_order", "trace", "Op", "apply",
    "draw_dot", "step_through", "Steps",
    "compile", "GraphTooLarge",
]
