"""``nn``: neurons, layers and MLPs of ``autograd.Value`` scalars, losses, optimizers and toy data.

It follows the lecture: a neuron is ``g(Σ wᵢxᵢ + b)``, layers stack neurons, a
loss says how far the predictions are from the targets, and gradient descent
on the loss averaged over the examples trains the weights. Names follow
micrograd and PyTorch, so lecture code runs::

    import nn
    X, y = nn.make_moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    for epoch in range(50):
        optimizer.zero_grad()
        loss = nn.hinge_loss([model(x) for x in X], [2 * c - 1 for c in y])
        loss.backward()
        optimizer.step()

* ``module.py``: ``Module`` (parameters by name, ``zero_grad``, ``state_dict``, save/load);
* ``layers.py``: ``Neuron``, ``Layer``, ``MLP`` and their initialisations;
* ``losses.py``: ``mse_loss``, ``hinge_loss``, ``binary_cross_entropy``, ``cross_entropy``, ``l2``;
* ``optim.py``: ``SGD``, ``Adam``;
* ``data.py``: ``make_moons``, ``make_circles``, ``make_blobs``, ``make_spirals``, ``minibatches``;
* ``seeding.py`` and ``checks.py``: where random numbers come from; the argument checks the others share;
* ``demo.py``: ``python -m nn.demo``, train and draw;
* ``torch_bridge.py``: ``MLP.to_torch()`` and ``MLP.from_torch()``, the same network as a
  ``torch.nn.Sequential`` (needs the ``torch`` extra; imported only when they are called).
"""

from .data import make_blobs, make_circles, make_moons, make_spirals, minibatches
from .layers import MLP, Layer, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, l2, mse_loss
from .module import Module
from .optim import SGD, Adam, Optimizer

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge_loss",
    "l2",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "minibatches",
    "mse_loss",
]
