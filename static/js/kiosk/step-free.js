// The step-free choice (ways without stairs or escalators): one choice, shown on every
// screen that leads to a route, and remembered for the ticket's way.

import { patient } from "./state.js";
import { showRoute } from "./route-screen.js";

export function toggleStepFree() {
  patient.stepFree = !patient.stepFree;
  renderStepFree();
  if (patient.screen === "route" && patient.place) showRoute();
}

export function renderStepFree() {
  document.querySelectorAll('[data-action="step-free"]').forEach((button) => {
    button.setAttribute("aria-pressed", String(patient.stepFree));
  });
}
