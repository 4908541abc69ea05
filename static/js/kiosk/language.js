// The page's language: the patient may switch at any time, and every word on screen
// (elements marked data-text, data-text-label and data-text-alt) changes without a request.

import { config, patient, t } from "./state.js";
import { renderServices } from "./services.js";
import { renderConnection } from "./connection.js";
import { renderStepFree } from "./step-free.js";
import { renderNeeds } from "./needs.js";
import { restartIdleTimer } from "./idle.js";

export function applyLanguage() {
  document.documentElement.lang = patient.language;
  document.documentElement.dir = config.directions[patient.language] || "ltr";
  document.querySelectorAll("[data-text]").forEach((node) => {
    node.textContent = t(node.dataset.text);
  });
  document.querySelectorAll("[data-text-label]").forEach((node) => {
    node.setAttribute("aria-label", t(node.dataset.textLabel));
  });
  document.querySelectorAll("[data-text-alt]").forEach((node) => {
    node.alt = t(node.dataset.textAlt);
  });
  document.querySelectorAll("[data-language]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.language === patient.language));
  });
  document.title = t("page_title") + " · " + config.site.name;
  // What the script drew itself, not marked data-text.
  renderServices();
  renderConnection();
  renderStepFree();
  renderNeeds();
}

export function chooseLanguage(language) {
  patient.language = language;
  applyLanguage();
  restartIdleTimer();
}
