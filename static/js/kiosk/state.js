// What every part of the kiosk reads: the page's settings, the site as last heard, and
// the patient at the kiosk now.
//
// Server values arrive as JSON in #kiosk-config, with every word in every one of the
// site's languages, so that changing language needs no network. Everything about the
// patient is in `patient` and in the elements marked data-patient; forgetPatient()
// forgets the first (see forget.js for the second), so nothing of one patient is left
// for the next.

import { pageConfig } from "../lib/dom.js";
import { makeTexts, nameIn } from "../lib/texts.js";

export const config = pageConfig("kiosk-config");
export const defaultLanguage = config.site.languages[0];

// The site's services and opening, refreshed for each new patient and on updates.
export const site = {
  open: config.site.open,
  services: config.site.services,
  waits: {}, // service prefix -> typical wait in minutes, from the display updates
};

function newPatient() {
  return {
    language: defaultLanguage,
    screen: "start",
    retryScreen: "start", // where "Try again" goes back to
    dobPart: "day",
    appointment: null, // how the confirmed appointment was found: {code} or name + birth date
    stepFree: false, // ways without stairs or escalators; remembered for the ticket
    needs: { interpreter: false, may_not_hear: false, may_not_see: false }, // needs.js
    place: null, // the destination chosen under "Find your way"
    wayOpen: false, // the ticket's way to the waiting area, shown in full
  };
}

// A live binding: modules that import it see the new patient after forgetPatient(),
// so an answer that arrives later can tell it was asked for someone else.
export let patient = newPatient();

export function forgetPatient() {
  patient = newPatient();
}

const textsIn = Object.fromEntries(
  Object.entries(config.texts).map(([language, texts]) => [language, makeTexts(texts)])
);

/* A text in the patient's language, filled in. */
export function t(key, values) {
  const texts = textsIn[patient.language] || textsIn[defaultLanguage];
  return texts(key, values);
}

/* A name ({language: name}) in the patient's language, else the site's first. */
export function nameOf(names) {
  return nameIn(names, patient.language, [defaultLanguage]);
}
