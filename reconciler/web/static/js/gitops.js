// The GitOps panel: the folder the daemon watches, its sync and health (as `reconciler status`
// judges them), the daemon's last sync, then each manifest file with its objects and its
// errors at path:line:col. The server pushes a new report whenever it changed.

import { fill, h } from "./dom.js";

const GOOD = new Set(["Synced", "Healthy", "Succeeded"]);
const BAD = new Set(["Error", "Degraded", "Missing", "Failed"]);

function badge(text) {
  const tone = GOOD.has(text) ? "good" : BAD.has(text) ? "bad" : "warn";
  return h("span", { class: `badge ${tone}` }, text);
}

function lastSyncLine(record) {
  if (!record) return "no daemon has synced this folder yet";
  const counts = ["created", "configured", "pruned"].map((action) => `${record[action] || 0} ${action}`).join(", ");
  const errors = (record.errors || []).length;
  return `last sync ${record.time} (${record.trigger}): ${record.result}${record.durationMs !== undefined ? `, ${counts}` : ""}${errors ? `, ${errors} error${errors === 1 ? "" : "s"}` : ""}`;
}

export function renderGitops(container, report, { select }) {
  if (!report || !report.folder) {
    fill(container, h("p", { class: "empty" },
      "No GitOps daemon has watched a folder yet: run ", h("code", {}, "reconciler watch DIR"), "."),
    ...(report?.errors || []).map((error) => h("p", { class: "error" }, error)));
    return;
  }
  const files = (report.files || []).map((file) => h("div", { class: "file", dataset: { file: file.path, sync: file.sync } },
    h("div", { class: "file-head" }, h("span", { class: "file-path" }, file.path), badge(file.sync), file.health ? badge(file.health) : null),
    file.objects.length
      ? h("ul", {}, file.objects.map((object) => h("li", {
        onclick: () => select(object.kind, object.namespace, object.name),
      }, `${object.kind}/${object.name}: ${object.sync}, ${object.health}${object.message ? ` — ${object.message}` : ""}`)))
      : null,
    file.errors.map((error) => h("p", { class: "error", dataset: { error: "" } }, error))));
  const attributed = new Set((report.files || []).flatMap((file) => file.errors));
  const others = (report.errors || []).filter((error) => !attributed.has(error));
  const orphans = (report.objects || []).map((object) => h("p", { class: "error" },
    `${object.kind}/${object.name}: ${object.sync} — ${object.message}`));
  fill(container,
    h("div", { class: "gitops-head" }, h("span", { class: "gitops-folder", title: report.folder }, report.display || report.folder),
      report.syncStatus ? badge(report.syncStatus) : null, report.health ? badge(report.health) : null),
    h("div", { class: "gitops-sync" }, lastSyncLine(report.lastSync)),
    files.length ? files : h("p", { class: "empty" }, "The folder holds no manifests."),
    orphans,
    others.map((error) => h("p", { class: "error", dataset: { error: "" } }, error)));
}
