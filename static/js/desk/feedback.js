// The line under the header that says what the last action did, or why it failed.
import { byId } from "../lib/dom.js";

export function showFeedback(text) {
  byId("feedback-error").textContent = "";
  byId("feedback").textContent = text;
}

export function showError(text) {
  byId("feedback").textContent = "";
  byId("feedback-error").textContent = text;
}
