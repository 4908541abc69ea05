// The kiosk with a keypad alone: arrow keys (or Tab) move between the controls of the
// showing screen, Enter chooses, "*" says the last sentence again, Back goes back,
// and the hidden "+" key turns reading aloud on or off. Focus is always drawn (the
// page is marked data-keypad once a key is used) and spoken (speech.js).

import { byId } from "../lib/dom.js";
import { patient } from "./state.js";
import { show } from "./screens.js";
import { notMe } from "./checkin.js";
import { repeatLast, toggleReadAloud } from "./speech.js";
import { backFrom, keypadCommand, stepIndex } from "./keypad-keys.js";

const CONTROLS = "button, input";

function usable(control) {
  return !control.disabled && !control.closest("[hidden]") && control.getClientRects().length > 0;
}

/* The controls a keypad moves through: an open dialog's, else the showing screen's
   and then those of the bar at the top. */
function controls() {
  const dialog = document.querySelector("dialog[open]");
  const places = dialog
    ? [dialog]
    : [document.querySelector("[data-screen]:not([hidden])"), document.querySelector(".kiosk-bar")];
  return places.filter(Boolean).flatMap((place) => [...place.querySelectorAll(CONTROLS)].filter(usable));
}

function move(step) {
  const list = controls();
  const index = stepIndex(list.indexOf(document.activeElement), list.length, step);
  if (index >= 0) list[index].focus();
}

function goBack(startOver) {
  const retryable = !byId("retry").hidden;
  const target = backFrom(patient.screen, { retryScreen: patient.retryScreen, retryable });
  if (target === "not-me") return notMe();
  if (target === "start") return startOver();
  if (target) return show(target);
  // Nowhere to go back to: the screen is read again, from its heading.
  document.activeElement?.blur();
  show(patient.screen);
}

function onKey(event, startOver) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  document.body.dataset.keypad = "";
  const command = keypadCommand(event.key, document.documentElement.dir || "ltr");
  if (!command) return;
  // In the idle warning, Back is the dialog's own Escape (more time); arrows still move.
  if (command === "back" && document.querySelector("dialog[open]")) return;
  event.preventDefault();
  if (command === "next") move(1);
  else if (command === "previous") move(-1);
  else if (command === "repeat") repeatLast();
  else if (command === "read-aloud") toggleReadAloud();
  else if (command === "back") goBack(startOver);
}

/* `startOver`: how the kiosk starts again for the next patient (kiosk.js). */
export function listenToKeypad(startOver) {
  document.addEventListener("keydown", (event) => onKey(event, startOver));
}
