// The page's picture of the cluster: every object the stream sent, by kind and namespace/name,
// kept current by the stream's watch events (a `reset` replaces it all, `changes` apply in
// order). Each entry is {object, summary}: the summary is what the server computed as the CLI
// does (a pod's STATUS and READY, a node's STATUS and capacity).

const EVENTS_KEPT = 300;

export class ClusterState {
  constructor() {
    this.kinds = new Map();
    this.revision = 0;
  }

  /** Replace everything with a `reset` batch. */
  reset(batch) {
    this.kinds.clear();
    this.apply(batch);
  }

  /** Apply a batch of watch events ({revision, events: [{type, object, summary}]}). */
  apply(batch) {
    for (const event of batch.events) {
      const { kind, metadata } = event.object;
      const objects = this.objects(kind);
      const key = keyOf(metadata);
      if (event.type === "DELETED") {
        const held = objects.get(key);
        // A newer object of the same name may already be here (deleted, then created again).
        if (held === undefined || version(held.object) <= version(event.object)) objects.delete(key);
      } else {
        objects.set(key, { object: event.object, summary: event.summary || null });
      }
    }
    this.revision = Math.max(this.revision, batch.revision);
    this.trimEvents();
  }

  trimEvents() {
    const events = this.objects("Event");
    if (events.size <= EVENTS_KEPT) return;
    const oldest = [...events.entries()].sort((a, b) => version(a[1].object) - version(b[1].object));
    for (const [key] of oldest.slice(0, events.size - EVENTS_KEPT)) events.delete(key);
  }

  objects(kind) {
    let objects = this.kinds.get(kind);
    if (objects === undefined) {
      objects = new Map();
      this.kinds.set(kind, objects);
    }
    return objects;
  }

  /** The entries of a kind, by namespace then name (as `kubectl get` orders them). */
  list(kind) {
    return [...this.objects(kind).values()].sort((a, b) => keyOf(a.object.metadata).localeCompare(keyOf(b.object.metadata)));
  }

  get(kind, namespace, name) {
    return this.objects(kind).get(keyOf({ namespace, name })) || null;
  }

  /** Events about one object, newest first. */
  eventsFor(object) {
    const { kind, metadata } = object;
    return this.list("Event")
      .map((entry) => entry.object)
      .filter((event) => {
        const about = event.involvedObject || {};
        if (about.uid && metadata.uid) return about.uid === metadata.uid;
        return about.kind === kind && about.name === metadata.name && (about.namespace || "") === (metadata.namespace || "");
      })
      .sort(newestFirst);
  }
}

export function keyOf(metadata) {
  return `${metadata.namespace || ""}/${metadata.name}`;
}

function version(object) {
  return Number(object.metadata.resourceVersion || 0);
}

/** When an Event last happened (Kubernetes events carry lastTimestamp or eventTime). */
export function lastSeen(event) {
  return event.lastTimestamp || event.eventTime || event.firstTimestamp || event.metadata.creationTimestamp;
}

export function newestFirst(a, b) {
  const when = Date.parse(lastSeen(b) || 0) - Date.parse(lastSeen(a) || 0);
  return when || version(b) - version(a);
}
