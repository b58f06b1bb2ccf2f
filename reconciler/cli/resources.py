"""Which objects a command line names, in every form kubectl accepts, and fetching them.

`get`, `describe`, `delete`, `label`, `annotate` and `wait` take `TYPE[,TYPE…] [NAME…]` or
`TYPE/NAME…` (TYPE in any spelling the kinds registry resolves, or a category such as `all`),
plus `-n`, `-A` and `-l`. This module turns those into `Target`s and reads the objects through
the api, collecting kubectl's NotFound errors instead of stopping at the first one. It never
writes and never prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reconciler.api.server import Api
from reconciler.errors import ApiError, NotFound, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import KINDS, KindInfo, category, resolve
from reconciler.model.selectors import EVERYTHING, Selector

DEFAULT_NAMESPACE = "default"


def known_types() -> str:
    """The plural names of every kind, for error messages."""
    return ", ".join(sorted(info.plural for info in KINDS))


def resolve_types(text: str) -> list[KindInfo]:
    """`rc,pods` or `all` -> the kinds, in the order given (categories expanded)."""
    kinds: list[KindInfo] = []
    for name in text.split(","):
        if not name:
            continue
        members = category(name) or (resolve(name),)
        kinds += [info for info in members if info not in kinds]
    return kinds


@dataclass(frozen=True)
class Target:
    """One kind, and the names asked for (none: every object of the kind in scope)."""

    info: KindInfo
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Where to look: a namespace or all of them, and a label selector."""

    namespace: str = DEFAULT_NAMESPACE
    all_namespaces: bool = False
    selector: Selector = EVERYTHING

    def namespace_of(self, info: KindInfo) -> str:
        return self.namespace if info.namespaced else ""


def parse_targets(args: Sequence[str], *, verb: str = "get") -> list[Target]:
    """kubectl's resource arguments: `TYPE[,TYPE] [NAME…]` or `TYPE/NAME [TYPE/NAME…]`."""
    if not args:
        raise UsageError(
            f"you must specify the type of resource to {verb}. Valid resource types: "
            f"{known_types()}"
        )
    if "/" in args[0]:
        targets: list[Target] = []
        for arg in args:
            kind, slash, name = arg.partition("/")
            if not slash or not kind or not name:
                raise UsageError(
                    "there is no need to specify a resource type as a separate argument when "
                    "passing arguments in resource/name form (e.g. 'reconciler get "
                    "resource/<resource_name>' instead of 'reconciler get resource "
                    "resource/<resource_name>'"
                )
            targets += [Target(info, (name,)) for info in resolve_types(kind)]
        return targets
    names = tuple(args[1:])
    for name in names:
        if "/" in name:
            raise UsageError(
                "there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. 'reconciler get "
                "resource/<resource_name>' instead of 'reconciler get resource "
                "resource/<resource_name>'"
            )
    return [Target(info, names) for info in resolve_types(args[0])]


def require_names(targets: Sequence[Target], *, everything: bool, selector: str) -> None:
    """Verbs that change objects (delete, label, annotate) act on every object of a type only
    when asked to, with --all or a selector."""
    if not everything and not selector and any(not t.names for t in targets):
        raise UsageError(
            "resource(s) were provided, but no name was specified; use --all or a selector"
        )


def single_item(args: Sequence[str]) -> bool:
    """Whether the arguments name exactly one object (`get pod x`, `get pod/x`): kubectl then
    prints the object itself rather than a List."""
    if not args:
        return False
    if "/" in args[0]:
        return len(args) == 1 and "," not in args[0].partition("/")[0]
    return len(args) == 2 and "," not in args[0]


@dataclass
class Found:
    """The objects found per kind, in the order asked, and the NotFound errors met."""

    groups: list[tuple[KindInfo, list[Obj]]] = field(default_factory=list)
    errors: list[ApiError] = field(default_factory=list)

    @property
    def objects(self) -> list[Obj]:
        return [obj for _, objs in self.groups for obj in objs]


def fetch(api: Api, targets: Sequence[Target], scope: Scope) -> Found:
    """Read what the targets name: named objects one by one (missing ones become errors),
    the rest by listing with the scope's selector."""
    found = Found()
    for target in targets:
        if target.names and not scope.selector.empty:
            raise UsageError("name cannot be provided when a selector is specified")
        if target.names and scope.all_namespaces:
            raise UsageError("a resource cannot be retrieved by name across all namespaces")
        if target.names:
            objs = []
            for name in target.names:
                try:
                    objs.append(
                        api.get(ObjectKey(target.info.kind, scope.namespace_of(target.info), name))
                    )
                except NotFound as error:
                    found.errors.append(error)
        else:
            namespace = None if scope.all_namespaces else scope.namespace_of(target.info)
            objs = api.list(target.info.kind, namespace or None, scope.selector)
        found.groups.append((target.info, objs))
    return found
