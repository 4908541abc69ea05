// The self check-in kiosk: one page that shows one screen at a time (kiosk/screens.js).
//
// This module wires the page together: the taps, starting over for the next patient,
// the reading modes, and the live connection. What each screen does is in kiosk/.

import { setReadingMode } from "./lib/modes.js";
import { forgetPatient, patient } from "./kiosk/state.js";
import { retry, show } from "./kiosk/screens.js";
import { closeIdleWarning, moreTime, restartIdleTimer, watchIdle } from "./kiosk/idle.js";
import { forgetShownPatient } from "./kiosk/forget.js";
import { selectDobPart, typeKey } from "./kiosk/keyboard.js";
import { applyLanguage, chooseLanguage } from "./kiosk/language.js";
import { connectKiosk, setConnection } from "./kiosk/connection.js";
import { refreshSite, startWalkIn, takeDisplayUpdate } from "./kiosk/services.js";
import { checkInAppointment, checkInWalkIn, findByCode, findByName, nameNext, notMe } from "./kiosk/checkin.js";
import { arriveByMobile, arriveByTicket } from "./kiosk/arrival.js";
import { filterPlaces, openFind } from "./kiosk/find.js";
import { choosePlace } from "./kiosk/route-screen.js";
import { toggleStepFree } from "./kiosk/step-free.js";
import { forgetWay, toggleWay } from "./kiosk/ticket-way.js";
import { renderNeeds, toggleNeed } from "./kiosk/needs.js";
import { listenForSpeech, stopReadingAloud, toggleReadAloud } from "./kiosk/speech.js";
import { listenToKeypad } from "./kiosk/keypad.js";

/* The next patient: nothing of the last one stays, on screen or in memory. */
function startOver() {
  closeIdleWarning();
  forgetPatient();
  forgetShownPatient();
  forgetWay();
  stopReadingAloud();
  renderNeeds();
  setReadingMode("text", false);
  setReadingMode("contrast", false);
  applyLanguage();
  show("start");
  refreshSite();
}

function toggleReadingMode(button) {
  setReadingMode(button.dataset.mode, button.getAttribute("aria-pressed") !== "true");
  restartIdleTimer();
}

function tapKey(button) {
  // The search box filters the places as the patient types.
  if (typeKey(button) === "find-entry") filterPlaces();
}

const ACTIONS = {
  reset: startOver,
  "walk-in": startWalkIn,
  "find-by-code": findByCode,
  "name-next": nameNext,
  "find-by-name": findByName,
  "check-in-appointment": checkInAppointment,
  "arrive-by-ticket": arriveByTicket,
  "arrive-by-mobile": arriveByMobile,
  find: openFind,
  "step-free": toggleStepFree,
  "toggle-way": toggleWay,
  "not-me": notMe,
  retry,
  print: () => window.print(),
  "more-time": moreTime,
  "read-aloud": toggleReadAloud,
};

/* One listener for every tap: buttons say what they do with data attributes. */
function onTap(event) {
  const part = event.target.closest("[data-part]");
  if (part) return selectDobPart(part.dataset.part);
  const button = event.target.closest("button");
  if (!button) return;
  const data = button.dataset;
  if (data.key !== undefined) return tapKey(button);
  if (data.goto) return show(data.goto);
  if (data.language) return chooseLanguage(data.language);
  if (data.mode) return toggleReadingMode(button);
  if (data.service) return checkInWalkIn(data.service);
  if (data.need) return toggleNeed(button);
  if (data.place) return choosePlace(button);
  const action = ACTIONS[data.action];
  if (action) action();
}

document.addEventListener("click", onTap);
listenForSpeech();
listenToKeypad(startOver);
watchIdle(startOver);
connectKiosk({
  // A kiosk back online may have missed the opening or closing of the day.
  onOnline: () => {
    if (patient.screen === "start") refreshSite();
  },
  onDisplayUpdate: takeDisplayUpdate,
});
setConnection("connecting");
applyLanguage();
document.body.dataset.showing = "start";
