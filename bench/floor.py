"""The floor under csdesk's figures: what the GraphQL layer alone costs.

graphql-core (the executor Strawberry runs on) executes a case's operation over csdesk's own
answer to it, with the contract's schema and graphql-core's default resolvers reading the
answer's dicts: no database, no ORM, none of csdesk's resolvers. The throughput of a signed-in
``{ viewer { username } }`` measures the rest of the stack around any query (uvicorn, the
middleware, the sign-in, Strawberry's request handling) with one field to answer. A page can
be served no faster than the two together, whatever the resolvers and the SQL under them do:

    ceiling req/s = 1 / (1 / viewer req/s + graphql-core alone)

Both are measured in the same run as the figures they bound (the machine is shared and noisy).
"""

from __future__ import annotations

import functools
import json
import time

from graphql import GraphQLSchema, build_schema, execute, parse, validate

from bench.cases import OPERATIONS, Case

CONTRACT = OPERATIONS.parent / "schema.graphql"
VIEWER = Case(
    "signed-in { viewer { username } }", "floor", "{ viewer { username } }", {}, raw=False
)


@functools.cache
def contract_schema() -> GraphQLSchema:
    """The contract's schema (frontend-contract/schema.graphql, generated from csdesk's code)
    with graphql-core's default resolvers."""
    return build_schema(CONTRACT.read_text())


def graphql_alone_ms(case: Case, answer: bytes, *, repeat: int = 50, warmup: int = 5) -> float:
    """The fastest of ``repeat`` runs of graphql-core executing ``case`` over ``answer``
    (csdesk's JSON for it), in ms: a floor, so the least disturbed run (as ``timeit``
    reports). Refuses an answer it does not reproduce exactly: the floor would be of
    something else."""
    schema = contract_schema()
    body = case.body()
    document = parse(body["query"])
    if errors := validate(schema, document):
        raise ValueError(f"{case.name}: the contract's schema refuses it: {errors[0].message}")
    data = json.loads(answer)["data"]
    variables = body.get("variables") or {}
    times = []
    for i in range(warmup + repeat):
        start = time.perf_counter()
        result = execute(schema, document, root_value=data, variable_values=variables)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    if result.errors or result.data != data:  # type: ignore[union-attr]
        raise ValueError(f"{case.name}: graphql-core over csdesk's answer does not give it back")
    return round(min(times) * 1000, 2)


def ceiling(viewer_req_per_s: float, alone_ms: float) -> float | None:
    """Requests per second one process could serve at most (see the module's docstring)."""
    if viewer_req_per_s <= 0:
        return None
    return round(1 / (1 / viewer_req_per_s + alone_ms / 1000), 1)
