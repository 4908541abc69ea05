// How the phone calls a patient who told the kiosk how to call them (config.call):
// one who may not hear the call gets it full screen, with the phone vibrating until
// they say they have seen it; one who may not see the screen hears it spoken, in the
// ticket's language, with the browser's speech synthesis.

import { byId } from "../lib/dom.js";

export const VIBRATION = [800, 300, 800, 300, 800];
const VIBRATE_EVERY_MS = 6000;
const MOST_VIBRATIONS = 10; // a minute: then the desk comes to fetch them anyway

/* "Number G 12, it's your turn. Please go to Room 3." */
export function spokenCall(t, ticket, room) {
  return t("spoken_call", { number: ticket.spoken || ticket.number, room });
}

const alerting = { calledAt: null, timer: 0 };

function vibrate() {
  if (navigator.vibrate) navigator.vibrate(VIBRATION);
}

function stopVibrating() {
  clearInterval(alerting.timer);
  alerting.timer = 0;
}

function showCallScreen(room) {
  const screen = byId("call-screen");
  byId("call-screen-room").textContent = room;
  if (!screen.open) screen.showModal();
  vibrate();
  let times = 1;
  stopVibrating();
  alerting.timer = setInterval(() => {
    times += 1;
    if (times > MOST_VIBRATIONS) return stopVibrating();
    vibrate();
  }, VIBRATE_EVERY_MS);
}

function speak(text, language) {
  if (!window.speechSynthesis) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = language;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(utterance);
}

/* Once per call (a recall is a new call): `style` {visual, spoken}. */
export function alertCall({ style, t, language, ticket, room }) {
  if (!style || alerting.calledAt === ticket.called_at) return;
  alerting.calledAt = ticket.called_at;
  if (style.visual) showCallScreen(room);
  if (style.spoken) speak(spokenCall(t, ticket, room), language);
}

/* The call is over (started, no-show, back in line): nothing keeps alerting. */
export function endCallAlert() {
  alerting.calledAt = null;
  stopVibrating();
  const screen = byId("call-screen");
  if (screen && screen.open) screen.close();
}

/* Browsers speak only after the patient has touched the page once: a patient who may
   not see the screen is asked to tap it, and hears that their call will be spoken. */
export function readySpeech({ style, t, language }) {
  const button = byId("speech-ready");
  if (!style || !style.spoken || !button) return;
  button.hidden = false;
  button.addEventListener("click", () => speak(t("speech_on"), language));
}

export function listenToCallScreen() {
  const seen = byId("call-seen");
  if (!seen) return;
  seen.addEventListener("click", () => {
    stopVibrating();
    byId("call-screen").close();
  });
  byId("call-screen").addEventListener("close", stopVibrating);
}
