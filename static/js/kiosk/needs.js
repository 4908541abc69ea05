// Asked before every check-in: "Do you need an interpreter?" (of the language chosen)
// and "How should we call you?" (I may not hear my number called; I may not see the
// screen). The answers go with the ticket, for the desk; nobody else sees them.

import { patient } from "./state.js";

export function toggleNeed(button) {
  const need = button.dataset.need;
  patient.needs[need] = !patient.needs[need];
  renderNeeds();
}

/* The same answer shows on every screen that asks it. */
export function renderNeeds() {
  document.querySelectorAll("[data-need]").forEach((button) => {
    button.setAttribute("aria-pressed", String(Boolean(patient.needs[button.dataset.need])));
  });
}

/* The answers, as the check-in API takes them. */
export function needsBody() {
  const { interpreter, may_not_hear, may_not_see } = patient.needs;
  return { interpreter, may_not_hear, may_not_see };
}
