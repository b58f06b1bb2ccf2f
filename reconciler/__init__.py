"""reconciler: a declarative YAML manifest reconciler for a simulated Kubernetes-like cluster."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reconciler")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
