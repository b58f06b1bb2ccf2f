// Services beside the map: cluster IP, external IP and ports as `kubectl get svc` shows them,
// a button that sends requests through the service, and the service's endpoints drawn as lines
// (SVG) to the pods behind it; dashed for endpoints that are not ready. After requests were
// sent, the pods that answered are marked with how many answers each gave.

import { h, keyed, setText } from "./dom.js";
import { isSelected } from "./nodemap.js";

const REQUESTS = 10;

/** kubectl's PORT(S): 80/TCP, or 80:31234/TCP with a node port. */
export function portString(ports) {
  return (ports || [])
    .map((port) => `${port.port}${port.nodePort ? `:${port.nodePort}` : ""}/${port.protocol || "TCP"}`)
    .join(",") || "<none>";
}

/** kubectl's EXTERNAL-IP: the load balancer's ingress, `<pending>` until it has one. */
export function externalIp(service) {
  const spec = service.spec || {};
  const external = spec.externalIPs || [];
  const type = spec.type || "ClusterIP";
  if (type === "ClusterIP" || type === "NodePort") return external.join(",") || "<none>";
  if (type === "ExternalName") return spec.externalName || "";
  const ingress = (service.status?.loadBalancer?.ingress || []).map((i) => i.ip || i.hostname).filter(Boolean);
  return [...ingress, ...external].join(",") || "<pending>";
}

export function renderServices(container, state, { select, selected, send, replies }) {
  keyed(
    container,
    state.list("Service"),
    (entry) => `${entry.object.metadata.namespace}/${entry.object.metadata.name}`,
    (entry) => createService(entry, { select, send }),
    (element, entry) => updateService(element, entry, state, { selected, replies }),
  );
}

function createService(entry, { select, send }) {
  const { namespace, name } = entry.object.metadata;
  const element = h("div", { class: "service", dataset: { service: name, namespace } },
    h("div", { class: "service-head" }, h("span", { class: "service-name" }, name), h("span", { class: "badge" })),
    h("dl", {}),
    h("div", { class: "service-actions" },
      h("button", { type: "button", class: "send" }, `Send ${REQUESTS} requests`)),
    h("div", { class: "replies" }));
  element.addEventListener("click", (event) => {
    if (!event.target.closest("button")) select("Service", namespace, name);
  });
  element.querySelector("button.send").addEventListener("click", () => send(namespace, name, REQUESTS));
  return element;
}

function updateService(element, entry, state, { selected, replies }) {
  const service = entry.object;
  const { namespace, name } = service.metadata;
  setText(element.querySelector(".badge"), service.spec?.type || "ClusterIP");
  const endpoints = state.get("Endpoints", namespace, name);
  const ready = addresses(endpoints?.object, "addresses").length;
  const notReady = addresses(endpoints?.object, "notReadyAddresses").length;
  const list = element.querySelector("dl");
  list.replaceChildren(
    h("dt", {}, "Cluster IP"), h("dd", {}, service.spec?.clusterIP || "<none>"),
    h("dt", {}, "External IP"), h("dd", {}, externalIp(service)),
    h("dt", {}, "Ports"), h("dd", {}, portString(service.spec?.ports)),
    h("dt", {}, "Endpoints"), h("dd", {}, `${ready} ready${notReady ? `, ${notReady} not ready` : ""}`),
  );
  element.classList.toggle("selected", isSelected(selected, "Service", namespace, name));
  const answer = replies.get(`${namespace}/${name}`);
  const box = element.querySelector(".replies");
  if (!answer) {
    box.replaceChildren();
    return;
  }
  const lines = Object.entries(answer.answeredBy).map(([pod, count]) => h("li", {}, `${pod}: ${count}`));
  if (answer.failed) lines.push(h("li", {}, `failed: ${answer.failed} (${answer.replies.find((r) => r.status === null)?.body || ""})`));
  box.replaceChildren(h("div", {}, `${answer.replies.length} requests answered by:`), h("ul", {}, lines));
}

function addresses(endpoints, field) {
  return (endpoints?.subsets || []).flatMap((subset) => subset[field] || []);
}

/** Draw a line from each service to each pod behind it. */
export function drawWires(svg, area, state, { replies }) {
  const box = area.getBoundingClientRect();
  svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
  const paths = [];
  for (const entry of state.list("Service")) {
    const { namespace, name } = entry.object.metadata;
    const card = area.querySelector(`.service[data-key="${CSS.escape(`${namespace}/${name}`)}"]`);
    const endpoints = state.get("Endpoints", namespace, name);
    if (!card || !endpoints) continue;
    const from = card.getBoundingClientRect();
    const answered = replies.get(`${namespace}/${name}`)?.answeredBy || {};
    for (const [field, style] of [["addresses", ""], ["notReadyAddresses", "not-ready"]]) {
      for (const address of addresses(endpoints.object, field)) {
        const ref = address.targetRef;
        if (!ref || ref.kind !== "Pod") continue;
        const tile = area.querySelector(`.pod[data-key="${CSS.escape(`${ref.namespace || namespace}/${ref.name}`)}"]`);
        if (!tile) continue;
        const to = tile.getBoundingClientRect();
        const x1 = from.left - box.left;
        const y1 = from.top - box.top + Math.min(from.height / 2, 40);
        const x2 = to.right - box.left;
        const y2 = to.top - box.top + to.height / 2;
        const bend = Math.max(40, (x1 - x2) / 2);
        const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
        path.setAttribute("d", `M ${x1} ${y1} C ${x1 - bend} ${y1}, ${x2 + bend} ${y2}, ${x2} ${y2}`);
        const classes = [style, answered[ref.name] ? "answered" : ""].filter(Boolean).join(" ");
        if (classes) path.setAttribute("class", classes);
        path.dataset.service = name;
        path.dataset.pod = ref.name;
        const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        dot.setAttribute("cx", x2);
        dot.setAttribute("cy", y2);
        dot.setAttribute("r", 3.5);
        if (classes) dot.setAttribute("class", classes);
        paths.push(path, dot);
      }
    }
  }
  svg.replaceChildren(...paths);
}
