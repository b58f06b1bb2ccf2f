// Workloads: deployments (with the replica sets of their rollout beneath them), replication
// controllers and replica sets, with kubectl's DESIRED, CURRENT and READY, a rollout column
// worded as `kubectl rollout status` words it (the server's summary), and a scale control
// (which edits the manifest the workload came from, as `reconciler scale` does).

import { h, keyed, setText } from "./dom.js";
import { isSelected } from "./nodemap.js";

const SHORT = { Deployment: "deploy", ReplicaSet: "rs", ReplicationController: "rc" };

function controllerUid(object) {
  return (object.metadata.ownerReferences || []).find((ref) => ref.controller)?.uid || null;
}

/** The rows in display order: each deployment then its replica sets, then the others. */
function rows(state) {
  const deployments = state.list("Deployment");
  const sets = state.list("ReplicaSet");
  const owned = new Set(deployments.map((d) => d.object.metadata.uid));
  const result = [];
  for (const deployment of deployments) {
    result.push({ entry: deployment, child: false });
    const mine = sets.filter((rs) => controllerUid(rs.object) === deployment.object.metadata.uid);
    mine.sort((a, b) => revision(b.object) - revision(a.object));
    for (const rs of mine) result.push({ entry: rs, child: true });
  }
  for (const rc of state.list("ReplicationController")) result.push({ entry: rc, child: false });
  for (const rs of sets) {
    if (!owned.has(controllerUid(rs.object))) result.push({ entry: rs, child: false });
  }
  return result;
}

function revision(object) {
  return Number(object.metadata.annotations?.["deployment.kubernetes.io/revision"] || 0);
}

export function renderWorkloads(table, empty, state, { select, selected, scale }) {
  const items = rows(state);
  empty.hidden = items.length > 0;
  keyed(
    table.tBodies[0],
    items,
    (row) => `${row.entry.object.kind}/${row.entry.object.metadata.namespace}/${row.entry.object.metadata.name}`,
    (row) => createRow(row, { select, scale }),
    (element, row) => updateRow(element, row, selected),
  );
}

function createRow(row, { select, scale }) {
  const { kind, metadata } = row.entry.object;
  const input = h("input", { type: "number", min: "0", max: "10000", "aria-label": `replicas of ${metadata.name}` });
  const button = h("button", { type: "button" }, "Scale");
  button.addEventListener("click", () => scale(kind, metadata.namespace, metadata.name, Number(input.value)));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") button.click();
  });
  const element = h("tr", { dataset: { workload: `${SHORT[kind]}/${metadata.name}` } },
    h("td", {}, SHORT[kind]), h("td", { class: "mono" }, metadata.name),
    h("td", { class: "desired" }), h("td", { class: "current" }), h("td", { class: "ready" }),
    h("td", { class: "rollout" }),
    h("td", { class: "scale" }, row.child ? "" : [input, " ", button]));
  element.classList.toggle("child", row.child);
  element.addEventListener("click", (event) => {
    if (!event.target.closest("input, button")) select(kind, metadata.namespace, metadata.name);
  });
  return element;
}

function updateRow(element, row, selected) {
  const object = row.entry.object;
  const { spec = {}, status = {} } = object;
  const desired = spec.replicas ?? 1;
  const ready = status.readyReplicas || 0;
  setText(element.querySelector(".desired"), desired);
  setText(element.querySelector(".current"), status.replicas || 0);
  setText(element.querySelector(".ready"), object.kind === "Deployment" ? `${ready}/${desired}` : ready);
  const cell = element.querySelector(".rollout");
  let text;
  let share;
  if (object.kind === "Deployment") {
    const rollout = row.entry.summary || { rollout: "", done: false, failed: false };
    text = rollout.done ? "complete" : rollout.rollout;
    share = desired ? (status.updatedReplicas || 0) / desired : 1;
    element.dataset.rollout = rollout.done ? "complete" : rollout.failed ? "failed" : "progressing";
  } else {
    share = desired ? ready / desired : 1;
    text = row.child ? `revision ${revision(object)}` : ready === desired && (status.replicas || 0) === desired ? "ready" : "scaling";
  }
  cell.replaceChildren(h("span", { class: "progress" }, h("span", { style: `width: ${Math.min(1, share) * 100}%` })), text);
  const input = element.querySelector("input");
  if (input && document.activeElement !== input) input.value = desired;
  element.classList.toggle("selected", isSelected(selected, object.kind, object.metadata.namespace, object.metadata.name));
}
