"""The candidate graph as a networkx bipartite graph, and back.

Nodes are participant ids with `bipartite` 0 (buyers) or 1 (producers) and
their `max_meetings`; an edge is a candidate pair with its `score` (never its
explanation: scoring.score_pair gives it for one pair). The solver works on
arrays built from the same data; this is the shared model other code and
tests read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.matching.engine.instance import Instance

if TYPE_CHECKING:
    import networkx as nx


def candidate_graph(inst: Instance, *, usable_only: bool = True) -> nx.Graph:
    """Buyers and producers as a bipartite graph; edges are the pairs that may meet."""
    import networkx as nx

    graph = nx.Graph()
    ids = inst.person_ids
    for v, pid in enumerate(ids):
        graph.add_node(
            pid,
            bipartite=0 if v < inst.n_buyers else 1,
            max_meetings=inst.max_meetings[v],
            capacity=inst.capacity(v),
        )
    for k in range(inst.n_pairs):
        b, p = inst.pair_buyer[k], inst.pair_producer[k]
        if usable_only and (
            (ids[b], ids[p]) in inst.blocked
            or not inst.available[b] & inst.available[p]
            or not inst.capacity(b)
            or not inst.capacity(p)
        ):
            continue
        graph.add_edge(ids[b], ids[p], score=inst.pair_score[k], pair=k)
    return graph
