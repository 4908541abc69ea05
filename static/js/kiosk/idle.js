// No touch for a while: warn, then go back to the start (WCAG 2.2.1, enough time).

import { byId } from "../lib/dom.js";
import { config, defaultLanguage, patient, t } from "./state.js";

const dialog = byId("idle-warning");
const idle = { timer: 0, ticker: 0, deadline: 0 };
let expire = () => {};

/* A kiosk nobody has touched since it started over has nothing to time out. */
function untouched() {
  const root = document.documentElement;
  return (
    patient.screen === "start" &&
    patient.language === defaultLanguage &&
    !root.dataset.text &&
    !root.dataset.contrast
  );
}

export function restartIdleTimer() {
  clearTimeout(idle.timer);
  if (dialog.open || untouched()) return;
  idle.timer = setTimeout(warnIdle, config.idle_seconds * 1000);
}

function warnIdle() {
  // Counted from the clock, not by ticks, which a busy or sleeping page may skip.
  idle.deadline = Date.now() + config.warning_seconds * 1000;
  renderIdleCountdown();
  dialog.showModal();
  idle.ticker = setInterval(renderIdleCountdown, 1000);
}

function renderIdleCountdown() {
  const seconds = Math.ceil((idle.deadline - Date.now()) / 1000);
  if (seconds <= 0) return expire();
  byId("idle-text").textContent = t("idle_text", { seconds });
}

export function closeIdleWarning() {
  clearTimeout(idle.timer);
  clearInterval(idle.ticker);
  if (dialog.open) dialog.close();
}

export function moreTime() {
  closeIdleWarning();
  restartIdleTimer();
}

/* Calls onExpire when the warning runs out. Any touch or key counts as someone still
 * being there, except while the warning is up: only "More time" (or Escape) answers it. */
export function watchIdle(onExpire) {
  expire = onExpire;
  ["pointerdown", "keydown"].forEach((type) => {
    document.addEventListener(type, restartIdleTimer, true);
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    moreTime();
  });
}
