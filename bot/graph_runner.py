"""Rasa's model graph run in order, without dask's scheduler.

Rasa 3.6 runs its model graph (the NLU pipeline for every message, the policies for every
prediction: four runs or more a message) through ``dask.get``, dask's synchronous scheduler.
For graphs of a handful of nodes that do milliseconds of work, dask's bookkeeping (ordering the
graph, walking every task's arguments, managing its cache) costs as much as a component:
about 0.8 ms a run here. Here the same graph runs node after node in a topological order worked
out once per set of targets: the same nodes, called with the same inputs, in an order dask may
also choose; their results and errors are Rasa's own.

Rasa's ``MessageProcessor`` loads the model with ``DaskGraphRunner`` named in its code (no
setting chooses the class): once the agent is loaded, ``adopt_in`` gives the processor an
``InOrderGraphRunner`` sharing the loaded nodes (``bot/serving/lifecycle.py``, ``bot/replay``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

from bot.speedups import enabled

Order = List[Tuple[Text, Tuple[Text, ...]]]  # (node, the nodes or inputs it needs)


def execution_order(schema: Any, targets: Tuple[Text, ...]) -> Order:
    """The nodes ``targets`` need, each after everything it needs (depth first)."""
    order: Order = []
    placed: set = set()

    def place(name: Text, path: Tuple[Text, ...]) -> None:
        if name in placed or name not in schema.nodes:
            return  # done, or an input of the run
        if name in path:
            raise ValueError(f"the graph has a cycle through {name}")
        needs = tuple(schema.nodes[name].needs.values())
        for needed in needs:
            place(needed, path + (name,))
        placed.add(name)
        order.append((name, needs))

    for target in targets:
        place(target, ())
    return order


class InOrderGraphRunner(DaskGraphRunner):
    """Rasa's ``DaskGraphRunner``, its graph run node after node (``graph_runner``)."""

    @classmethod
    def adopt(cls, runner: DaskGraphRunner) -> DaskGraphRunner:
        """A runner of this class sharing ``runner``'s schema, context and instantiated nodes
        (Rasa's processor loads its model with a ``DaskGraphRunner``, by name: nothing loads
        twice); ``runner`` itself when ``graph_runner`` is off or it is not a Dask one."""
        if not enabled("graph_runner") or type(runner) is not DaskGraphRunner:
            return runner
        adopted = cls.__new__(cls)
        adopted.__dict__.update(runner.__dict__)
        return adopted

    def run(
        self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
    ) -> Dict[Text, Any]:
        """Rasa's ``run``: the same nodes with the same inputs, in an order worked out once."""
        if not enabled("graph_runner"):
            return super().run(inputs, targets)
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        orders = self.__dict__.setdefault("_orders_by_targets", {})
        if run_targets not in orders:
            orders[run_targets] = execution_order(
                self._graph_schema.minimal_graph_schema(list(run_targets)), run_targets
            )
        results: Dict[Text, Any] = {}
        if inputs:
            self._add_inputs_to_graph(inputs, dict(self._instantiated_nodes))  # Rasa's checks
            results.update((name, (name, value)) for name, value in inputs.items())
        try:
            for name, needs in orders[run_targets]:
                results[name] = self._instantiated_nodes[name](*(results[n] for n in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)


def adopt_in(agent: Any) -> None:
    """The agent's processor running its graph with an ``InOrderGraphRunner`` (if on)."""
    processor = getattr(agent, "processor", None)
    if processor is not None:
        processor.graph_runner = InOrderGraphRunner.adopt(processor.graph_runner)
