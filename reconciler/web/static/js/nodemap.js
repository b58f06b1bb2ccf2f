// The map: one card per node (Ready or NotReady, its kubelet, the capacity its pods ask for)
// with each pod drawn inside the node it runs on, coloured by its state and labelled with its
// hostname and IP; pods no node took yet wait in a card of their own.

import { bar, formatBytes, formatCpu, h, keyed, setText } from "./dom.js";

/** The legend, in the order a pod lives through them; colours are in dashboard.css. */
export const STATES = [
  ["Pending", "--pending"],
  ["ContainerCreating", "--creating"],
  ["Running", "--running"],
  ["Ready", "--ready"],
  ["CrashLoopBackOff", "--failing"],
  ["Terminating", "--terminating"],
];

const FAILING = /BackOff|Err|Error|ExitCode|OOMKilled|Signal|Invalid|Unknown|NodeLost|Evicted/;

/**
 * The colour class of a pod, from kubectl's STATUS (computed by the server) and READY:
 * Running with every container ready is "Ready"; waiting reasons that mean trouble
 * (CrashLoopBackOff, ErrImagePull, …) share CrashLoopBackOff's colour.
 */
export function podState(object, summary) {
  const status = summary ? summary.status : object.status?.phase || "Pending";
  if (object.metadata.deletionTimestamp) return "Terminating";
  if (status === "Running") return summary && summary.ready === summary.containers ? "Ready" : "Running";
  if (status === "Completed" || status === "Succeeded") return "Completed";
  if (status === "ContainerCreating" || status === "PodInitializing" || status.startsWith("Init:")) {
    return FAILING.test(status) ? "CrashLoopBackOff" : "ContainerCreating";
  }
  if (status === "Pending") return "Pending";
  if (FAILING.test(status)) return "CrashLoopBackOff";
  return "Running";
}

export function renderLegend(list) {
  keyed(list, STATES, ([name]) => name, ([name, colour]) => h("li", { style: `--swatch: var(${colour})` }, name), () => {});
}

/**
 * Draw the nodes and their pods; `select(kind, namespace, name)` opens an object, `answered`
 * maps "namespace/pod" to how many of the last requests sent through a service it answered.
 */
export function renderNodes(container, state, { select, selected, act, answered }) {
  const nodes = state.list("Node");
  const pods = state.list("Pod");
  const byNode = new Map(nodes.map((entry) => [entry.object.metadata.name, []]));
  const unscheduled = [];
  for (const pod of pods) {
    const nodeName = pod.object.spec?.nodeName;
    if (nodeName && byNode.has(nodeName)) byNode.get(nodeName).push(pod);
    else unscheduled.push(pod);
  }
  const cards = nodes.map((entry) => ({ entry, pods: byNode.get(entry.object.metadata.name) }));
  if (unscheduled.length) cards.push({ entry: null, pods: unscheduled });
  keyed(
    container,
    cards,
    (card) => (card.entry ? `node/${card.entry.object.metadata.name}` : "unscheduled"),
    (card) => createNode(card, { select, act }),
    (element, card) => updateNode(element, card, { select, selected, answered }),
  );
}

function createNode(card, { select, act }) {
  if (card.entry === null) {
    return h("div", { class: "node unscheduled", dataset: { node: "" } },
      h("div", { class: "node-head" }, h("span", { class: "node-name" }, "Not scheduled"), h("span", { class: "badge warn" }, "Pending")),
      h("div", { class: "node-meta" }, "pods waiting for a node"),
      h("div", { class: "pods" }));
  }
  const name = card.entry.object.metadata.name;
  const element = h("div", { class: "node", dataset: { node: name } },
    h("div", { class: "node-head" }, h("span", { class: "node-name" }, name), h("span", { class: "badge" })),
    h("div", { class: "node-meta" }),
    h("div", { class: "capacity" }),
    h("div", { class: "pods" }),
    h("div", { class: "node-actions" }, h("button", { type: "button", class: "kubelet" })));
  element.addEventListener("click", (event) => {
    if (event.target.closest(".pod") || event.target.closest("button")) return;
    select("Node", "", name);
  });
  element.querySelector("button.kubelet").addEventListener("click", (event) => {
    const stopping = event.currentTarget.dataset.verb === "stop";
    act(stopping ? "stop" : "start", name);
  });
  return element;
}

function updateNode(element, card, { select, selected, answered }) {
  const podsBox = element.querySelector(".pods");
  keyed(podsBox, card.pods, (pod) => `${pod.object.metadata.namespace}/${pod.object.metadata.name}`,
    (pod) => createPod(pod, select), (tile, pod) => updatePod(tile, pod, selected, answered));
  if (card.entry === null) return;
  const { object, summary } = card.entry;
  element.classList.toggle("selected", isSelected(selected, "Node", "", object.metadata.name));
  const status = summary ? summary.status : "Unknown";
  element.dataset.status = status.split(",")[0];
  element.dataset.kubelet = summary ? summary.kubelet : "running";
  const badge = element.querySelector(".node-head .badge");
  setText(badge, summary && summary.kubelet !== "running" ? `${status} · kubelet ${summary.kubelet}` : status);
  badge.className = `badge ${status.startsWith("Ready") ? "good" : "bad"}`;
  const address = (object.status?.addresses || []).find((a) => a.type === "InternalIP");
  setText(element.querySelector(".node-meta"), `${address ? address.address : "—"} · pods ${object.spec?.podCIDR || "—"}`);
  const running = card.pods.filter((pod) => !["Succeeded", "Failed"].includes(pod.object.status?.phase));
  const cpu = running.reduce((sum, pod) => sum + (pod.summary?.cpu || 0), 0);
  const memory = running.reduce((sum, pod) => sum + (pod.summary?.memory || 0), 0);
  const capacity = element.querySelector(".capacity");
  capacity.replaceChildren(
    ...row("pods", running.length, summary?.pods || 0, String(running.length), String(summary?.pods || 0)),
    ...row("cpu", cpu, summary?.cpu || 0, formatCpu(cpu), formatCpu(summary?.cpu || 0)),
    ...row("memory", memory, summary?.memory || 0, formatBytes(memory), formatBytes(summary?.memory || 0)),
  );
  const button = element.querySelector("button.kubelet");
  const stopped = summary && summary.kubelet === "stopped";
  button.dataset.verb = stopped ? "start" : "stop";
  setText(button, stopped ? "Start kubelet" : "Stop kubelet");
}

function row(label, used, total, usedText, totalText) {
  return [h("span", {}, label), bar(used, total), h("span", { class: "value" }, `${usedText}/${totalText}`)];
}

function createPod(pod, select) {
  const { namespace, name } = pod.object.metadata;
  const tile = h("div", { class: "pod", dataset: { pod: name, namespace } },
    h("div", { class: "pod-name" }), h("div", { class: "pod-ip" }), h("div", { class: "pod-status" }, h("span"), h("span")));
  tile.addEventListener("click", () => select("Pod", namespace, name));
  return tile;
}

function updatePod(tile, pod, selected, answered) {
  const { object, summary } = pod;
  const state = podState(object, summary);
  tile.dataset.state = state;
  tile.dataset.uid = object.metadata.uid;
  const hostname = object.spec?.hostname || object.metadata.name;
  setText(tile.querySelector(".pod-name"), hostname);
  setText(tile.querySelector(".pod-ip"), object.status?.podIP || "no IP yet");
  const [statusText, readyText] = tile.querySelector(".pod-status").children;
  setText(statusText, summary ? summary.status : state);
  setText(readyText, summary ? `${summary.ready}/${summary.containers}` : "");
  const status = summary ? `${summary.status} ${summary.ready}/${summary.containers}` : state;
  const hits = answered.get(`${object.metadata.namespace}/${object.metadata.name}`);
  tile.classList.toggle("answered", hits !== undefined);
  let badge = tile.querySelector(".hits");
  if (hits === undefined) badge?.remove();
  else {
    if (!badge) badge = tile.appendChild(h("span", { class: "hits" }));
    setText(badge, hits);
  }
  tile.title = `${object.metadata.namespace}/${object.metadata.name}\n${status}${summary && summary.restarts !== "0" ? `, restarts ${summary.restarts}` : ""}`;
  tile.classList.toggle("selected", isSelected(selected, "Pod", object.metadata.namespace, object.metadata.name));
}

export function isSelected(selected, kind, namespace, name) {
  return Boolean(selected) && selected.kind === kind && (selected.namespace || "") === (namespace || "") && selected.name === name;
}
