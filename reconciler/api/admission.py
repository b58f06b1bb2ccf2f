"""Admission validation: the api refuses objects that break the schemas or Kubernetes' rules.

`runtime/session.py` gives `admit` to the `Api` as its validator, so every write through the api
(the CLI's imperative verbs, apply, the daemon) is checked by the same validator as
`reconciler validate` (`source/validate.py`), and refused with the API server's message:
`The ReplicationController "kubia" is invalid: spec.template.metadata.labels: Invalid value: …`
(several problems: `is invalid: [first, second]`).

The api runs it on create and update only, where a client's content arrives: status updates,
metadata patches and bindings carry none, and Events are stored by their recorder
(`api/events.py`) without passing through create. `apply` of manifests read from files without
errors creates them with `validated=True`: `reconciler validate`'s checks (this same function on
the document) have run, and what the api adds before admission (defaults, apply's annotations,
the namespace, which must exist) cannot make a valid object invalid. Its updates are admitted:
the three-way merge with the live object makes content that no file held.

Skipped, on purpose:
- kinds without a schema (Node, Endpoints, Event): only the cluster writes them;
- objects with a controller owner reference (the pods of a replication controller or replica
  set, the replica sets of a deployment): their spec is the owner's template, validated when the
  owner was written, and a schema check costs about 0.2 ms per object, five times what creating
  a pod in the memory store costs (0.04 ms), paid again on every update of 150,000 pods. What
  a controller adds (a generated name, labels copied from a template, owner references) is
  valid by construction.
"""

from __future__ import annotations

from reconciler.api.metadata import controller_of
from reconciler.errors import Invalid
from reconciler.model.keys import Obj
from reconciler.model.kinds import BY_KIND


def admit(obj: Obj) -> None:
    """Raise `Invalid` when the object breaks a rule; return when it may be stored."""
    info = BY_KIND.get(str(obj.get("kind", "")))
    if info is None or info.schema is None or controller_of(obj) is not None:
        return
    # Imported at the first object to check: a command that only reads (`get`) never needs
    # validation's modules (about 10 ms of its start-up).
    from reconciler.source.validate import validate_object

    problems = [d.message for d in validate_object(obj) if d.is_error]
    if not problems:
        return
    name = (obj.get("metadata") or {}).get("name", "")
    listed = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
    raise Invalid(f'The {info.kind} "{name}" is invalid: {listed}')
