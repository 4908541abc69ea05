// Read aloud: the kiosk speaks each screen as it opens and each control as it gets
// focus, with the browser's speech synthesis in the patient's language, through the
// kiosk's own audio (a headset where one is fitted). Off until the patient turns it
// on ("Read aloud", or the keypad's hidden key); off again for the next patient.
//
// It listens to the page (focus, taps, messages appearing) rather than being called
// by each screen: the screens need not know about it. What it says is in spoken.js.

import { patient, t } from "./state.js";
import { describe, sentence, spell, voiceFor } from "./spoken.js";

const reading = { on: false, last: null }; // last: {text, language}, for "say it again"

export function readingAloud() {
  return reading.on;
}

function synth() {
  return window.speechSynthesis || null;
}

/* Speaks now (`interrupt`: stop what is being said first) and keeps it for repeat(). */
function say(text, { language = patient.language, interrupt = true } = {}) {
  const speech = synth();
  if (!text || !speech) return;
  if (interrupt) speech.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = language;
  const voice = voiceFor(speech.getVoices(), language);
  if (voice) utterance.voice = voice;
  speech.speak(utterance);
  reading.last = { text, language };
}

export function repeatLast() {
  if (reading.on && reading.last) say(reading.last.text, { language: reading.last.language });
}

export function toggleReadAloud() {
  setReadAloud(!reading.on);
}

export function setReadAloud(on) {
  const wasOn = reading.on;
  reading.on = on;
  document.querySelectorAll('[data-action="read-aloud"]').forEach((button) => {
    button.setAttribute("aria-pressed", String(on));
  });
  if (on) {
    say(t("read_aloud_on"));
    say(screenText(), { interrupt: false });
  } else if (wasOn) {
    say(t("read_aloud_off"));
  }
}

/* For the next patient: silence, and reading aloud off. */
export function stopReadingAloud() {
  reading.on = false;
  reading.last = null;
  if (synth()) synth().cancel();
  document.querySelectorAll('[data-action="read-aloud"]').forEach((button) => {
    button.setAttribute("aria-pressed", "false");
  });
}

function visible(node) {
  return !node.closest("[hidden]") && node.getClientRects().length > 0;
}

/* The showing screen: its heading, then what is marked data-speak in it, then what
 * outside it is marked to be read with it (data-speak-with="start": the language bar,
 * on every screen, is named once, with the first). */
function screenText() {
  const screen = document.querySelector("[data-screen]:not([hidden])");
  if (!screen) return "";
  const heading = screen.querySelector("h1");
  const withIt = document.querySelectorAll(`[data-speak-with="${screen.dataset.screen}"]`);
  const marked = [...screen.querySelectorAll("[data-speak]"), ...withIt].filter(visible);
  return sentence([heading ? heading.innerText : "", ...marked.map((node) => node.innerText)]);
}

function nameOf(control) {
  if (control.getAttribute("aria-label")) return control.getAttribute("aria-label");
  if (control.labels && control.labels.length) return control.labels[0].innerText;
  return control.innerText;
}

function controlText(control) {
  const entry = control instanceof HTMLInputElement;
  const facts = {
    name: nameOf(control),
    entry,
    value: entry ? control.value : "",
    pressed: control.getAttribute("aria-pressed"),
  };
  return describe(facts, { chosen: t("chosen"), not_chosen: t("not_chosen"), empty: t("empty") });
}

/* A dialog that has just taken focus is read first: its title and message. */
function dialogText(control, from) {
  const dialog = control.closest("dialog[open]");
  if (!dialog || (from && dialog.contains(from))) return "";
  return sentence([...dialog.querySelectorAll("h2, p")].map((node) => node.innerText));
}

function onFocus(event) {
  if (!reading.on) return;
  const target = event.target;
  if (target.matches("[data-screen] h1")) return say(screenText());
  // A language's name is said in that language.
  const own = target.closest("[lang]");
  const language = own && own !== document.documentElement ? own.lang : patient.language;
  say(sentence([dialogText(target, event.relatedTarget), controlText(target)]), { language });
}

/* After a tap has done its work: what changed is said. */
function afterTap(button) {
  if (!reading.on) return; // the tap may have started over for the next patient
  if (button.dataset.language) return say(screenText());
  if (button.dataset.key !== undefined) return sayTyped(button);
  if (button.hasAttribute("aria-pressed") && button.dataset.action !== "read-aloud") {
    say(controlText(button));
  }
}

/* What the box holds after a key was tapped, letter by letter. */
function sayTyped(key) {
  const target = key.closest(".keyboard").dataset.target;
  const box = target === "dob" ? document.querySelector(".dob-part .entry.active") : document.getElementById(target);
  if (box) say(sentence([nameOf(box), box.value ? spell(box.value) : t("empty")]));
}

function onTap(event) {
  const button = event.target.closest("button");
  if (!reading.on || !button) return;
  // The kiosk's own listener runs first; speak what it left.
  setTimeout(() => afterTap(button), 0);
}

/* Errors and counts appear in live regions: say them as they appear. */
function watchMessages() {
  const observer = new MutationObserver((changes) => {
    if (!reading.on) return;
    const changed = new Set(changes.map((change) => change.target.parentElement?.closest("[role]") || change.target));
    changed.forEach((node) => {
      if (visible(node) && node.innerText.trim()) say(sentence([node.innerText]), { interrupt: false });
    });
  });
  document.querySelectorAll('[data-screen] [role="alert"], [data-screen] [role="status"]').forEach((node) => {
    observer.observe(node, { childList: true, characterData: true, subtree: true });
  });
}

export function listenForSpeech() {
  document.addEventListener("focusin", onFocus);
  document.addEventListener("click", onTap);
  watchMessages();
}
