"""How the CLI shows objects, exactly as kubectl shows them.

- `tabwriter`: Go's text/tabwriter, which gives kubectl's column alignment;
- `ages`: AGE and every "how long ago" (duration.HumanDuration);
- `podstatus`: the READY, STATUS and RESTARTS cells of pods;
- `columns`: the cells of a `get` row, per kind; `table`: whole tables (NAMESPACE, LABELS,
  `kind/name`, several kinds, widths kept for `get -w`);
- `formats`: `-o yaml|json|name`;
- `describe`: `kubectl describe` layouts.

Everything here turns objects into text; reading objects is the commands' business (except
`describe`, which gathers the related objects its layouts need through the api).
"""
