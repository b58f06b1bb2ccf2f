"""`reconciler set image deploy/NAME CONTAINER=IMAGE…`: kubectl's `set image`.

Arguments holding `=` are container=image pairs, the others name the workload (`deploy/kubia`
or `deploy kubia`). The image is changed where the object came from: in its manifest file,
edited round-trip and applied (`api/images.py`, as `scale` does), so the folder stays the truth
and a GitOps daemon sees no drift; `--live` (or an object with no manifest) changes only the
cluster. Prints kubectl's `deployment.apps/kubia image updated` (nothing when the images were
those already) and, on stderr, which file was edited.
"""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.api.apply import resource_name
from reconciler.api.images import set_images
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.options import Live, Namespace
from reconciler.cli.resources import parse_targets
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey

set_app = typer.Typer(
    name="set",
    help="Change one aspect of a workload (its containers' images).",
    no_args_is_help=True,
)


def split_arguments(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """(resource arguments, container → image) from `deploy/kubia nodejs=luksa/kubia:v2`."""
    resources = [arg for arg in args if "=" not in arg]
    images: dict[str, str] = {}
    for arg in args:
        if "=" not in arg:
            continue
        name, _, image = arg.partition("=")
        if not name or not image:
            raise UsageError(f"invalid image argument {arg!r}: use CONTAINER=IMAGE")
        images[name] = image
    if not images:
        raise UsageError("at least one image update is required")
    return resources, images


@set_app.command("image")
def image(
    arguments: Annotated[
        list[str],
        typer.Argument(
            help="TYPE/NAME (or TYPE NAME) then CONTAINER=IMAGE… (`*=IMAGE`: every container).",
            autocompletion=complete_resources,
        ),
    ],
    live: Live = False,
    namespace: Namespace = "default",
) -> None:
    """Update the image of containers in a workload's pod template; a deployment rolls out.

    Example: reconciler set image deploy/kubia nodejs=luksa/kubia:v2
    """
    resources, images = split_arguments(arguments)
    targets = parse_targets(resources, verb="set image")
    keys = [ObjectKey(t.info.kind, namespace, name) for t in targets for name in t.names]
    if not keys:
        raise UsageError("resource(s) were provided, but no name was specified")
    with cluster_from_cli() as cluster:
        for key in keys:
            done = set_images(cluster.api, key, images, live=live)
            cluster.advance()
            if not done.changed:
                continue
            typer.echo(f"{resource_name(key)} image updated")
            if done.manifest is not None:
                typer.echo(f"(image written to {done.manifest})", err=True)
