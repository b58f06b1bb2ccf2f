"""source: reading a folder of manifests into validated objects that know where they came from.

files.py and ignore.py choose the files; loader.py (with scalars.py) parses them into
`Document`s with a position for every value; cache.py keeps each file's result until it
changes; schema.py, rules.py, podspec.py and names.py check objects, worded by fielderrors.py;
validate.py ties it together (`validate_paths`, `summarize_paths`, `validate_object`) and
produces `Diagnostic`s; summary.py remembers whole runs for `summarize_paths`, and
marshalled.py keeps the files both caches write.
editor.py edits manifest files in place and dump.py writes objects as YAML. Nothing here knows
about the store or the cluster.
"""
