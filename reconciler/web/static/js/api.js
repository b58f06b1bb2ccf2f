// Talking to the server: discovery of the Kubernetes API (which kind lives at which path), one
// object's YAML, the actions, and the live stream. Requests carry the token cookie the server
// set when the page was opened with ?token=… (same origin, so the browser sends it itself).

const resources = new Map(); // kind → {plural, namespaced, groupVersion}

/** Learn the API's kinds from discovery (/api/v1, /apis/GROUP/VERSION), as kubectl does. */
export async function discover() {
  const groups = await getJson("/apis");
  const versions = ["v1", ...groups.groups.map((group) => group.preferredVersion.groupVersion)];
  for (const groupVersion of versions) {
    const path = groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`;
    const list = await getJson(path);
    for (const resource of list.resources) {
      resources.set(resource.kind, { ...resource, groupVersion });
    }
  }
}

/** The Kubernetes API path of one object (/apis/apps/v1/namespaces/default/replicasets/x). */
export function objectPath(kind, namespace, name) {
  const resource = resources.get(kind);
  if (resource === undefined) return null;
  const base = resource.groupVersion === "v1" ? "/api/v1" : `/apis/${resource.groupVersion}`;
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace || "default")}` : "";
  return `${base}${scope}/${resource.name}/${encodeURIComponent(name)}`;
}

export function resourceName(kind) {
  const resource = resources.get(kind);
  return resource ? resource.singularName : kind.toLowerCase();
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(await failure(response));
  return response.json();
}

/** One object as YAML (the API server's `Accept: application/yaml`); null when it is gone. */
export async function getYaml(kind, namespace, name) {
  const path = objectPath(kind, namespace, name);
  if (path === null) return null;
  const response = await fetch(path, { headers: { Accept: "application/yaml" } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(await failure(response));
  return response.text();
}

/** POST an action; resolves to its JSON answer, rejects with the Status message. */
export async function act(path, body = {}) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await failure(response));
  return response.json();
}

async function failure(response) {
  try {
    const status = await response.json();
    return status.message || `${response.status} ${response.statusText}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

/**
 * Follow the server's stream: `reset` (everything), `changes`, `status`. EventSource reconnects
 * by itself and sends Last-Event-ID (the revision of the last batch), so the server resumes
 * after it; if the browser gives up (the server refused), we open a new stream from that
 * revision ourselves.
 */
export function follow(handlers) {
  let revision = "";
  let source = null;
  const open = () => {
    const url = revision ? `/reconciler/v1/stream?resourceVersion=${revision}` : "/reconciler/v1/stream";
    source = new EventSource(url);
    source.addEventListener("open", () => handlers.connection("live"));
    source.addEventListener("reset", (message) => {
      revision = message.lastEventId;
      handlers.reset(JSON.parse(message.data));
    });
    source.addEventListener("changes", (message) => {
      revision = message.lastEventId;
      handlers.changes(JSON.parse(message.data));
    });
    source.addEventListener("status", (message) => handlers.status(JSON.parse(message.data)));
    source.addEventListener("error", () => {
      handlers.connection("reconnecting");
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 2000);
    });
  };
  open();
}
