"""The benchmark: scalar-autograd against micrograd 0.1.0 on the same workloads.

Run ``python -m bench`` (see ``bench/__main__.py`` for the options). Not a test:
speed is measured and reported here, never asserted.

* ``spec.py``: what a workload, a variant, a task and a target are (the plug-in interface);
* ``workloads.py``: the registry of workloads, variants and targets;
* ``granular.py``: the workloads written once, micrograd style, for any engine's ``Value``;
* ``data.py``: the W1 data, ``nn.make_moons`` with ±1 labels;
* ``engines.py``: the engines, how to import them and set up their processes;
* ``worker.py``: one measurement in one process;
* ``runner.py``: the rounds of processes (order alternating), the paired ratios, the agreement check;
* ``machine.py``: the machine, its load, the interpreter and its build flags;
* ``report.py``: the tables of times and paired ratios, and the JSON;
* ``memory.py``: ``python -m bench.memory``, bytes per op node, built and after backward.
"""
