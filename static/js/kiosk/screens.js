// One screen at a time: the one showing, the problem screen, and a screen's entry error.

import { byId } from "../lib/dom.js";
import { patient, t } from "./state.js";
import { restartIdleTimer } from "./idle.js";
import { stopFollowing } from "./follow.js";

// Problems that "Try again" can get past; the others need the desk or another day.
const RETRYABLE = [
  "appointment_not_found",
  "offline",
  "rate_limited",
  "unknown",
  "remote_ticket_not_found",
  "invalid_ticket_number",
  "invalid_phone_number",
  "not_remote",
  "already_arrived",
];

export function show(screen) {
  if (screen !== "ticket") stopFollowing(); // the patient left their ticket
  patient.screen = screen;
  document.body.dataset.showing = screen;
  document.querySelectorAll("[data-screen]").forEach((section) => {
    section.hidden = section.dataset.screen !== screen;
  });
  byId("start-again").hidden = screen === "start";
  window.scrollTo(0, 0);
  // Move focus to the new screen's heading, so that a screen reader reads it.
  const heading = document.querySelector('[data-screen="' + screen + '"] h1');
  if (heading) heading.focus({ preventScroll: true });
  restartIdleTimer();
}

export function showProblem(kind) {
  byId("problem-title").textContent = t(kind + "_title");
  byId("problem-text").textContent = t(kind + "_text");
  byId("retry").hidden = !RETRYABLE.includes(kind);
  if (patient.screen !== "problem") patient.retryScreen = patient.screen;
  show("problem");
}

export function retry() {
  show(patient.retryScreen);
}

/* The error under the showing screen's entry box; no key clears it. */
export function showEntryError(key) {
  const message = document.querySelector('[data-screen="' + patient.screen + '"] .entry-error');
  if (message) message.textContent = key ? t(key) : "";
}
