"""`kubectl rollout history` output: the revisions table, or one revision's pod template.

kubectl prints the resource and an operation through its name printer, then the viewer's text
(`deployment.apps/kubia ` then `REVISION  CHANGE-CAUSE` rows aligned by a tabwriter with padding
2, `<none>` for an empty cause; or `deployment.apps/kubia with revision #2` then the pod
template as describe prints it), and a blank line after, as its printer adds a newline to text
that ends with one. Pure text.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from reconciler.api.rollout import Revision
from reconciler.cli.printers.describe.pods import pod_template
from reconciler.cli.printers.describe.writer import PrefixWriter
from reconciler.cli.printers.tabwriter import DESCRIBE_MIN_WIDTH, DESCRIBE_PADDING, align
from reconciler.model.deployments import CHANGE_CAUSE

NO_HISTORY = "No rollout history found."


def history_text(resource: str, revisions: Sequence[Revision]) -> str:
    """`deployment.apps/kubia ` and the table of revisions."""
    if not revisions:
        return f"{resource} \n{NO_HISTORY}\n"
    rows = "REVISION\tCHANGE-CAUSE\n" + "".join(
        f"{kept.number}\t{kept.change_cause or '<none>'}\n" for kept in revisions
    )
    table = align(rows, min_width=DESCRIBE_MIN_WIDTH, padding=DESCRIBE_PADDING)
    return f"{resource} \n{table}\n"


def revision_text(resource: str, kept: Revision) -> str:
    """`deployment.apps/kubia with revision #2` and that revision's pod template, its
    change-cause shown among the template's annotations as kubectl's viewer puts it there."""
    template = copy.deepcopy(kept.template)
    if kept.change_cause:
        meta = template.setdefault("metadata", {})
        meta.setdefault("annotations", {})[CHANGE_CAUSE] = kept.change_cause
    w = PrefixWriter()
    pod_template(w, template)
    return f"{resource} with revision #{kept.number}\n{w.text()}\n"
