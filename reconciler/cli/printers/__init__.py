"""How the CLI shows objects, exactly as kubectl shows them.

- `tabwriter`: Go's text/tabwriter, which gives kubectl's column alignment;
- `columns`: the cells of a `get` row, per kind; `table`: whole tables (NAMESPACE, LABELS,
  `kind/name`, several kinds, widths kept for `get -w`);
- `formats`: `-o yaml|json|name`;
- `describe`: `kubectl describe` layouts.

AGE and a pod's READY/STATUS/RESTARTS are computed in `model/ages.py` and
`model/podstatus.py`, which the dashboard (web/) shares. Everything here turns objects into
text; reading objects is the commands' business (except `describe`, which gathers the related
objects its layouts need through the api).
"""
