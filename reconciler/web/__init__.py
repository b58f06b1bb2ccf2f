"""The dashboard: a live web page of the simulated cluster, and the read-only Kubernetes API it
is built on (a face of the tool, like cli/; nothing below imports it).

- `app`: the Starlette application (routes, lifespan); `serve`: uvicorn, in the foreground or a
  thread; `guard`: bind address, token and Host checks;
- `resources`: which API path names which kind (from the kinds registry), discovery;
  `queries`: list and watch parameters, field selectors; `shapes`: lists, watch events, Status;
- `streams`: the watch API and the page's server-sent events; `changes`: one thread waking all
  the watches when the store moves; `summaries`: pod and node summaries as the CLI computes them;
- `folderstatus`: the GitOps panel (per file sync and health, errors at path:line:col);
- `actions`: the page's buttons (delete, node stop/start, scale, requests) through the library
  calls the CLI makes; `advancer`: keeps the cluster moving in real time while serving;
- `static/`: the page itself (HTML, CSS and JavaScript modules; no build step, no network).

Starlette and uvicorn are imported here only.
"""
