"""csdesk's executor shortcuts (schema/executor.py) answer exactly as Strawberry does: the same
data and the same errors, for plain fields, resolvers of every signature, async resolvers, a
field with a permission extension and a schema extension that wraps every resolver."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from schema.direct_resolvers import shortcut_resolvers
from schema.executor import CsdeskExecutor, object_fields, plain_fields
from schema.schema import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Denied(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Item:
    name: str
    note: str | None
    colour: Colour
    count: int
    ratio: float
    missing: str  # None on the "broken" item: a non-null field answering null
    wrong: int  # a string on the "broken" item: a value the scalar refuses
    big: int  # beyond GraphQL's 32 bits on the "broken" item, a bool on the good one
    secret: str = strawberry.field(default="s", permission_classes=[Denied])

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        return f"{info.field_name}:{info.path.as_list()}"

    @strawberry.field
    @staticmethod
    def parent_name(root: strawberry.Parent[Item]) -> str:
        return root.name

    @strawberry.field
    async def later(self) -> str:
        return self.name + "!"

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError("boom")

    @strawberry.field(permission_classes=[Denied])  # type: ignore[untyped-decorator]
    def guarded(self) -> str:
        return "g"

    @strawberry.field
    def times(self, n: int = 2) -> str:
        return self.name * n

    @strawberry.field
    def pick(
        self,
        info: strawberry.Info,
        last: int | None = None,
        after: strawberry.ID | None = None,
        loud: bool = False,
        label: str | None = "x",
    ) -> str:
        picked = f"{info.field_name}:{last}:{after}:{loud}:{label}"
        return picked.upper() if loud else picked

    @strawberry.field
    def paint(self, colour: Colour, shades: list[int] | None = None) -> str:
        # an enum and a list: Strawberry's own conversion, not the shortcut
        return f"{colour.value}:{shades}"


@strawberry.type
class Place(relay.Node):
    code: relay.NodeID[str]
    name: str


@strawberry.type
class Box:
    label: str
    item: Item
    place: Place | None

    # resolvers of the source alone that answer objects (called in place by the executor)
    @strawberry.field
    def copy(self) -> Item:
        return self.item

    @strawberry.field
    def maybe_place(self) -> Place | None:
        return self.place

    @strawberry.field
    def broken(self) -> Item | None:
        raise ValueError("no item")

    @strawberry.field
    def lost(self) -> Item:
        return None  # type: ignore[return-value]


class SubPlace(Place):
    """A subclass instance where a Place is expected: the id goes Strawberry's way."""


def _items() -> list[Item]:
    good = Item(
        name="a",
        note=None,
        colour=Colour.RED,
        count=1,
        ratio=0.5,
        missing="m",
        wrong=1,
        big=True,
    )
    broken = Item(
        name="b",
        note="n",
        colour=Colour.BLUE,
        count=2,
        ratio=1.5,
        missing=None,  # type: ignore[arg-type]
        wrong="x",  # type: ignore[arg-type]
        big=2**40,
    )
    return [good, broken]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return list(_items())

    @strawberry.field
    def maybe_items(self) -> list[Item | None]:
        # a null among objects: the list goes graphql-core's way
        return [_items()[0], None]

    @strawberry.field
    def item(self) -> Item:
        return _items()[0]

    @strawberry.field
    def boxes(self) -> list[Box]:
        # objects in objects, a Node with its relay id, a null object and a non-null one
        # whose fields fail
        good, broken = _items()
        return [
            Box(label="one", item=good, place=Place(code="p1", name="P")),
            Box(label="two", item=broken, place=None),
        ]

    @strawberry.field
    def odd_boxes(self) -> list[Box | None]:
        # a place of the wrong type (its is_type_of refuses it) and a subclass of Place
        good, _ = _items()
        wrong = Box(label="wrong", item=good, place=good)  # type: ignore[arg-type]
        # and a place without its NodeID value
        nameless = Box(label="none", item=good, place=Place(code=None, name="N"))  # type: ignore[arg-type]
        return [wrong, Box(label="sub", item=good, place=SubPlace(code="s1", name="S")), nameless]


class Upper(SchemaExtension):
    """Wraps every resolver (a middleware): the shortcuts must step aside."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        result = _next(root, info, *args, **kwargs)
        return result.upper() if isinstance(result, str) else result


def _schemas(extensions: list[Any]) -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(query=Query, extensions=extensions)
    fast = strawberry.Schema(
        query=Query, extensions=extensions, execution_context_class=CsdeskExecutor
    )
    assert shortcut_resolvers(fast) >= 4
    return plain, fast


QUERIES = [
    "{ item { name note colour count ratio shout where parentName later times(n: 3) } }",
    "{ items { name note colour count ratio shout where parentName later } }",
    "{ items { name missing } }",
    "{ items { name wrong } }",
    "{ items { name count big } }",
    "{ items { name fails } }",
    "{ item { name secret } }",
    "{ item { name guarded } }",
    "{ item { a: name b: name ...F } } fragment F on Item { colour }",
    "{ item { name @skip(if: true) note @include(if: true) } }",
    '{ item { pick p2: pick(last: 3, after: "e1", loud: true, label: null) } }',
    "query($n: Int) { items { pick(last: $n) times(n: 2) } }",
    "{ item { paint(colour: RED) p: paint(colour: BLUE, shades: [1, 2]) } }",
    "{ boxes { label item { name colour } place { id name } } }",
    "{ boxes { label item { name missing } } }",
    "{ boxes { place { ... on Place { id } ...on Node { id } } } }",
    "{ oddBoxes { label place { id name } } }",
    "{ maybeItems { name later } }",
    "{ boxes { label copy { name later } maybePlace { id name } broken { name } } }",
    "{ boxes { copy { name missing } } }",
    "{ boxes { label lost { name } } }",
    "{ oddBoxes { label maybePlace { id name } copy { colour } } }",
    "{ items { name later missing } }",
    "{ boxes { item { later } } }",
]


@pytest.mark.parametrize("extensions", [[], [Upper]], ids=["plain", "with a resolve hook"])
@pytest.mark.parametrize("query", QUERIES)
async def test_shortcuts_answer_as_strawberry_does(extensions: list[Any], query: str) -> None:
    plain, fast = _schemas(extensions)
    variables = {"n": 4}
    expected = await plain.execute(query, variable_values=variables)
    found = await fast.execute(query, variable_values=variables)
    assert found.data == expected.data
    assert [(e.message, e.path) for e in found.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_csdesk_schema_uses_the_shortcuts() -> None:
    schema = build_schema()
    assert schema.execution_context_class is CsdeskExecutor
    order = schema._schema.get_type("Order")
    plain = set(plain_fields(order))  # type: ignore[arg-type]
    assert {"number", "status", "version", "purchasedAt", "id"} <= plain
    # resolvers called directly, not through Strawberry's chain: without arguments, with
    # scalar arguments, and relay's id
    fields = order.fields  # type: ignore[union-attr]
    assert fields["billingAddress"].resolve.__module__ == "schema.direct_resolvers"
    assert fields["history"].resolve.__name__ == "call_arguments"
    assert fields["id"].resolve.__name__ == "node_id"


def test_the_test_schema_uses_every_shortcut() -> None:
    _, fast = _schemas([])
    item = fast._schema.get_type("Item")
    place = fast._schema.get_type("Place")
    assert item.fields["pick"].resolve.__name__ == "call_arguments"  # type: ignore[union-attr]
    assert item.fields["paint"].resolve.__module__ != "schema.direct_resolvers"  # type: ignore[union-attr]
    assert place.fields["id"].resolve.__name__ == "node_id"  # type: ignore[union-attr]
    # and the executor answers it in place, as a plain field of a Place
    assert plain_fields(place)["id"].node is not None  # type: ignore[arg-type]
    box = fast._schema.get_type("Box")
    # resolvers of the source alone, and plain attributes, that answer objects
    assert set(object_fields(box)) == {  # type: ignore[arg-type]
        "item",
        "place",
        "copy",
        "maybePlace",
        "broken",
        "lost",
    }
    # an enum's names are looked up, not searched for
    assert plain_fields(item)["colour"].names == {Colour.RED: "RED", Colour.BLUE: "BLUE"}  # type: ignore[arg-type]


async def test_lists_of_objects_skip_graphql_cores_list_completion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, fast = _schemas([])

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("completed item by item by graphql-core")

    monkeypatch.setattr(CsdeskExecutor, "complete_iterable_value", refused)
    found = await fast.execute("{ boxes { label item { name later } } items { name } }")
    assert not found.errors, found.errors
    assert found.data == {
        "boxes": [
            {"label": "one", "item": {"name": "a", "later": "a!"}},
            {"label": "two", "item": {"name": "b", "later": "b!"}},
        ],
        "items": [{"name": "a"}, {"name": "b"}],
    }
