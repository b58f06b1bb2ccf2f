// The dashboard's entry point: learn the API, follow the stream, draw every panel once per
// animation frame after a change, and run the buttons' actions. The page never reloads and
// never polls: every change arrives through the stream within a moment of the store's write.

import { act, discover, follow } from "./api.js";
import { ClusterState } from "./cluster.js";
import { Details } from "./details.js";
import { setText, toast } from "./dom.js";
import { renderEvents } from "./events.js";
import { renderGitops } from "./gitops.js";
import { podState, renderLegend, renderNodes } from "./nodemap.js";
import { drawWires, renderServices } from "./services.js";
import { renderWorkloads } from "./workloads.js";

const AGES_EVERY = 5000;
const ANSWERS_SHOWN = 15000; // how long the pods that answered requests stay marked

const state = new ClusterState();
const replies = new Map(); // "namespace/service" → the answer of the last requests sent
let report = null;
let frame = 0;

const element = (id) => document.getElementById(id);

async function run(what, promise) {
  try {
    return await promise;
  } catch (error) {
    toast(`${what}: ${error.message}`, { error: true });
    return null;
  }
}

const actions = {
  deletePod: async (namespace, name) => {
    if (await run("delete", act("/reconciler/v1/delete", { kind: "Pod", namespace, name }))) {
      toast(`pod "${name}" deleted`);
    }
  },
  stopNode: async (name) => {
    if (await run("stop", act(`/reconciler/v1/nodes/${encodeURIComponent(name)}/stop`))) toast(`node/${name} stopped`);
  },
  startNode: async (name) => {
    if (await run("start", act(`/reconciler/v1/nodes/${encodeURIComponent(name)}/start`))) toast(`node/${name} started`);
  },
  scale: async (kind, namespace, name, replicas) => {
    const done = await run("scale", act("/reconciler/v1/scale", { kind, namespace, name, replicas }));
    if (done) toast(`${kind.toLowerCase()}/${name} scaled${done.manifest ? ` (replicas: ${replicas} written to ${done.manifest})` : ""}`);
  },
  send: async (namespace, name, count) => {
    const answer = await run("requests", act("/reconciler/v1/requests", { target: `svc/${name}`, namespace, count }));
    if (!answer) return;
    const key = `${namespace}/${name}`;
    replies.set(key, answer);
    schedule();
    setTimeout(() => {
      if (replies.get(key) === answer) {
        replies.delete(key);
        schedule();
      }
    }, ANSWERS_SHOWN);
  },
};

const details = new Details(actions);

function select(kind, namespace, name) {
  details.open(kind, namespace, name);
  schedule();
}

/** Pods that answered the requests sent in the last moments, with how many answers each. */
function answeredPods() {
  const answered = new Map();
  for (const [key, answer] of replies) {
    const namespace = key.split("/")[0];
    for (const [pod, count] of Object.entries(answer.answeredBy)) {
      const name = `${namespace}/${pod}`;
      answered.set(name, (answered.get(name) || 0) + count);
    }
  }
  return answered;
}

function render() {
  frame = 0;
  const selected = details.selected;
  const act = (verb, name) => (verb === "stop" ? actions.stopNode(name) : actions.startNode(name));
  renderNodes(element("nodes"), state, { select, selected, act, answered: answeredPods() });
  renderServices(element("services"), state, { select, selected, send: actions.send, replies });
  renderWorkloads(element("workloads"), element("workloads-empty"), state, { select, selected, scale: actions.scale });
  renderEvents(element("events"), state, { select });
  renderGitops(element("gitops"), report, { select });
  details.render(state);
  drawWires(element("wires"), element("map-area"), state, { replies });
  const nodes = state.list("Node");
  const ready = nodes.filter((node) => node.summary?.ready).length;
  const pods = state.list("Pod");
  const readyPods = pods.filter((pod) => podState(pod.object, pod.summary) === "Ready").length;
  setText(element("summary"), `${nodes.length} nodes (${ready} Ready) · ${pods.length} pods (${readyPods} Ready) · revision ${state.revision}`);
  document.body.dataset.revision = String(state.revision);
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(render);
}

function connection(status) {
  const badge = element("connection");
  badge.dataset.state = status;
  setText(badge, status === "live" ? "live" : "reconnecting…");
}

async function main() {
  renderLegend(element("legend"));
  await run("discovery", discover());
  follow({
    reset: (batch) => { state.reset(batch); schedule(); },
    changes: (batch) => { state.apply(batch); schedule(); },
    status: (next) => { report = next; schedule(); },
    connection,
  });
  window.addEventListener("resize", schedule);
  setInterval(schedule, AGES_EVERY); // ages ("5s ago") move with the clock, not the store
}

main();
