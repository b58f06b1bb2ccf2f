"""reconciler: a declarative YAML manifest reconciler for a simulated Kubernetes-like cluster."""

__version__ = "0.1.0"
"""The one place the version is written (pyproject.toml reads it from here): a constant, because
asking importlib.metadata cost 20 ms of every command's start-up."""
