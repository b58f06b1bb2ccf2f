// The events stream, newest first, with `kubectl events`' columns; a click on a row opens the
// object the event is about. The details drawer uses `eventRows` for one object's events.

import { h, keyed, setText, since } from "./dom.js";
import { lastSeen, newestFirst } from "./cluster.js";
import { resourceName } from "./api.js";

const SHOWN = 60;

/** kubectl's OBJECT column: pod/kubia-x. */
export function objectName(event) {
  const about = event.involvedObject || {};
  return `${resourceName(about.kind || "")}/${about.name || ""}`;
}

export function renderEvents(table, state, { select }) {
  const events = state.list("Event").map((entry) => entry.object).sort(newestFirst).slice(0, SHOWN);
  eventRows(table.tBodies[0], events, { select, withObject: true });
}

export function eventRows(body, events, { select, withObject }) {
  keyed(
    body,
    events,
    (event) => `${event.metadata.namespace}/${event.metadata.name}`,
    (event) => {
      const cells = [h("td", { class: "seen" }), h("td", {}, event.type || ""), h("td", {}, event.reason || "")];
      if (withObject) cells.push(h("td", { class: "mono" }));
      cells.push(h("td", { class: "message" }));
      const row = h("tr", { class: event.type === "Warning" ? "warning" : "" }, cells);
      const about = event.involvedObject || {};
      if (select) row.addEventListener("click", () => select(about.kind, about.namespace || "", about.name));
      return row;
    },
    (row, event) => {
      const count = event.count > 1 ? ` (x${event.count} over ${since(event.firstTimestamp)})` : "";
      setText(row.querySelector(".seen"), `${since(lastSeen(event))}${count}`);
      if (withObject) setText(row.querySelector(".mono"), objectName(event));
      setText(row.querySelector(".message"), event.message || "");
    },
  );
}
