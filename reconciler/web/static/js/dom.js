// Small DOM and formatting helpers shared by the dashboard's panels. Text always goes in as
// text nodes (never as HTML), so names and messages from the cluster cannot inject markup.

/** Build an element: h("div", {class: "x", dataset: {pod: "a"}, onclick}, child, "text"). */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/**
 * Keep a container's children in step with `items`, one child per key (its data-key): new keys
 * get `create(item)`, every kept or new child gets `update(child, item)`, the order follows
 * `items`, children of keys no longer there are removed. Elements survive updates, so focus,
 * transitions and hover stay where they are.
 */
export function keyed(container, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of [...container.children]) {
    if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  }
  let previous = null;
  for (const item of items) {
    const key = keyOf(item);
    let child = existing.get(key);
    if (child === undefined) {
      child = create(item);
      child.dataset.key = key;
    }
    existing.delete(key);
    update(child, item);
    const next = previous ? previous.nextSibling : container.firstChild;
    if (next !== child) container.insertBefore(child, next);
    previous = child;
  }
  for (const stale of existing.values()) stale.remove();
}

/** Set text only when it changed (keeps the DOM calm under frequent updates). */
export function setText(element, text) {
  const value = String(text);
  if (element.textContent !== value) element.textContent = value;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** apimachinery's duration.HumanDuration, as `kubectl get` prints AGE (model/ages.py). */
export function humanDuration(seconds) {
  const whole = Math.floor(seconds);
  if (whole < -1) return "<invalid>";
  if (whole < 0) return "0s";
  if (whole < 2 * MINUTE) return `${whole}s`;
  const minutes = Math.floor(whole / MINUTE);
  if (minutes < 10) return whole % MINUTE ? `${minutes}m${whole % MINUTE}s` : `${minutes}m`;
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.floor(whole / HOUR);
  if (hours < 8) return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 ? `${Math.floor(hours / 24)}d${hours % 24}h` : `${Math.floor(hours / 24)}d`;
  const days = Math.floor(whole / DAY);
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 ? `${years}y${days % 365}d` : `${years}y`;
  return `${years}y`;
}

/** How long ago an RFC 3339 timestamp was, kubectl style; "<unknown>" without one. */
export function since(timestamp) {
  if (!timestamp) return "<unknown>";
  return humanDuration((Date.now() - Date.parse(timestamp)) / 1000);
}

/** Millicores as Kubernetes writes cpu: 250m, 2. */
export function formatCpu(milli) {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in the largest binary unit that keeps one decimal: 512Mi, 3.8Gi. */
export function formatBytes(bytes) {
  const units = ["", "Ki", "Mi", "Gi", "Ti"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 10 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1);
  return `${shown}${units[unit]}`;
}

/** A thin bar showing used of total. */
export function bar(used, total) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  return h("div", { class: "bar" }, h("span", { style: `width: ${(share * 100).toFixed(1)}%` }));
}

let toastTimer = null;

/** A short message at the bottom of the page. */
export function toast(message, { error = false } = {}) {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.classList.toggle("error", error);
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { element.hidden = true; }, error ? 6000 : 3000);
}
