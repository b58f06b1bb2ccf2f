// The details drawer: a clicked object's YAML (as `kubectl get -o yaml` shows it, fetched from
// the Kubernetes API and fetched again whenever the object changes), its events (live, from
// the stream) and the actions that fit its kind.

import { fill, h } from "./dom.js";
import { getYaml, resourceName } from "./api.js";
import { eventRows } from "./events.js";

export class Details {
  constructor(actions) {
    this.actions = actions; // {deletePod, stopNode, startNode, scale, send}
    this.selected = null; // {kind, namespace, name}
    this.shownVersion = null;
    this.fetching = false;
    this.root = document.getElementById("details");
    document.getElementById("details-close").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
  }

  open(kind, namespace, name) {
    if (!kind || !name) return;
    this.selected = { kind, namespace: namespace || "", name };
    this.shownVersion = null;
    this.root.hidden = false;
    document.getElementById("details-yaml").textContent = "";
  }

  close() {
    this.selected = null;
    this.root.hidden = true;
  }

  /** Bring the drawer in step with the cluster (called after every change). */
  render(state) {
    if (this.selected === null) return;
    const { kind, namespace, name } = this.selected;
    const entry = state.get(kind, kind === "Node" ? "" : namespace, name);
    this.root.dataset.kind = kind;
    this.root.dataset.name = name;
    fill(document.getElementById("details-title"), `${resourceName(kind)}/${name}`);
    fill(document.getElementById("details-note"), entry ? "" : "This object no longer exists.");
    this.renderActions(entry);
    const object = entry ? entry.object : { kind, metadata: { name, namespace } };
    eventRows(document.getElementById("details-events").tBodies[0], state.eventsFor(object), { withObject: false });
    const version = entry ? entry.object.metadata.resourceVersion : "gone";
    if (version !== this.shownVersion && !this.fetching) this.refreshYaml(version, state);
  }

  async refreshYaml(version, state) {
    const { kind, namespace, name } = this.selected;
    this.fetching = true;
    try {
      const yaml = await getYaml(kind, namespace, name);
      if (this.selected && this.selected.kind === kind && this.selected.name === name) {
        document.getElementById("details-yaml").textContent = yaml ?? "(deleted)";
        this.shownVersion = version;
      }
    } catch (error) {
      document.getElementById("details-yaml").textContent = String(error.message || error);
    } finally {
      this.fetching = false;
    }
    if (this.selected) this.render(state);
  }

  renderActions(entry) {
    const box = document.getElementById("details-actions");
    const key = entry ? `${entry.object.kind}/${entry.object.metadata.name}/${entry.summary?.kubelet || ""}` : "";
    if (box.dataset.for === key) return;
    box.dataset.for = key;
    if (!entry) {
      fill(box);
      return;
    }
    const { kind, metadata, spec } = entry.object;
    const { namespace, name } = metadata;
    const buttons = [];
    if (kind === "Pod") {
      buttons.push(h("button", { type: "button", class: "danger", dataset: { action: "delete" }, onclick: () => this.actions.deletePod(namespace, name) }, "Delete pod"));
    } else if (kind === "Node") {
      const stopped = entry.summary?.kubelet === "stopped";
      buttons.push(stopped
        ? h("button", { type: "button", dataset: { action: "start" }, onclick: () => this.actions.startNode(name) }, "Start kubelet")
        : h("button", { type: "button", class: "danger", dataset: { action: "stop" }, onclick: () => this.actions.stopNode(name) }, "Stop kubelet"));
    } else if (["ReplicationController", "ReplicaSet", "Deployment"].includes(kind)) {
      const input = h("input", { type: "number", min: "0", value: spec?.replicas ?? 1, "aria-label": "replicas" });
      buttons.push(input, h("button", { type: "button", dataset: { action: "scale" }, onclick: () => this.actions.scale(kind, namespace, name, Number(input.value)) }, "Scale"));
    } else if (kind === "Service") {
      buttons.push(h("button", { type: "button", dataset: { action: "send" }, onclick: () => this.actions.send(namespace, name, 10) }, "Send 10 requests"));
    }
    fill(box, buttons);
  }
}
