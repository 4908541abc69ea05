// The console's own controls: buttons that keep their focus across redraws, the
// ticket's name cell, choices in a select.
import { make } from "../lib/dom.js";
import { appendNeedMarkers } from "./needs.js";

export function option(value, text) {
  const node = make("option", null, text);
  node.value = value;
  return node;
}

// focusKey: the lists are redrawn from the state, and the key finds the button again.
// shortcut: a letter shown on the button that presses it (see shortcuts.js).
export function button(text, className, focusKey, onClick, shortcut) {
  const node = make("button", className);
  node.type = "button";
  node.append(document.createTextNode(text));
  if (shortcut) {
    node.dataset.shortcut = shortcut.toLowerCase();
    node.setAttribute("aria-keyshortcuts", shortcut.toUpperCase());
    node.append(" ", make("kbd", null, shortcut.toUpperCase()));
  }
  node.dataset.focusKey = focusKey;
  node.addEventListener("click", onClick);
  return node;
}

// Visible words plus the ticket number for screen readers: "Call now G-012".
export function ticketButton(text, ticket, focusKey, onClick, shortcut) {
  const node = button(text, null, focusKey, onClick, shortcut);
  node.insertBefore(make("span", "visually-hidden", " " + ticket.number), node.childNodes[1] || null);
  return node;
}

// "Texts…": the ticket's number for texts, and a message to the patient (texts.js).
export function textsButton(desk, ticket, focusKey) {
  return ticketButton(desk.t("texts"), ticket, focusKey, () => desk.texts.open(ticket));
}

// Staff see the name when one is known; "no name given" is set apart from names.
// A patient who asked for a step-free route is marked, so staff can help them along.
export function patientName(t, ticket, tag) {
  const node = ticket.patient_name
    ? make(tag, "patient-name", ticket.patient_name)
    : make(tag, "patient-name unknown", t("no_name"));
  if (ticket.step_free) node.append(" ", make("span", "step-free-tag", t("step_free")));
  appendNeedMarkers(t, ticket, node);
  if (ticket.texts) node.append(" ", textsTag(t, ticket.texts));
  if (ticket.push) node.append(" ", pushTag(t, ticket.push));
  return node;
}

// Texts on, or the last text did not go out: the desk may need to reach them another way.
function textsTag(t, texts) {
  const failed = texts.last === "failed";
  const words = t(failed ? "text_failed" : "texts_on", { digits: texts.last_digits });
  return make("span", failed ? "texts-tag failed" : "texts-tag", words);
}

// Alerts on the patient's phone (Web Push), or the last did not go out (push.js).
function pushTag(t, push) {
  const failed = push.last === "failed";
  return make("span", failed ? "push-tag failed" : "push-tag", t(failed ? "alert_failed" : "alerts_on"));
}

// The lists are redrawn from the state; keep the keyboard where it was.
export function focusedKey() {
  const focused = document.activeElement;
  return focused && focused.dataset ? focused.dataset.focusKey : null;
}

export function restoreFocus(focusKey) {
  if (!focusKey || (document.activeElement && document.activeElement !== document.body)) return;
  const again = document.querySelector(`[data-focus-key="${focusKey}"]`);
  if (again) again.focus();
}
