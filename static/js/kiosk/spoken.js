// The words the kiosk reads aloud, made from what a screen or a control shows. Pure:
// no DOM, no speech (kiosk/speech.js does those), so tests can check every sentence.

// A part that ends so (a comma too: a line broken inside a sentence) gets no full stop.
const ENDS_A_SENTENCE = /[.!?:;,。！？؟،]$/u;

/* Parts (lines, labels, values) as one text to speak: blanks dropped, each part ending
   as a sentence, so that the voice pauses between them. */
export function sentence(parts) {
  return parts
    .flatMap((part) => String(part ?? "").split("\n"))
    .map((part) => part.replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .map((part) => (ENDS_A_SENTENCE.test(part) ? part : part + "."))
    .join(" ");
}

/* A control, described: its name; a typed box's contents letter by letter (a code
   such as RV1003 is clearer so) or "Empty"; a toggle's "On" or "Off".
   `control`: {name, entry, value, pressed (null, "true" or "false")};
   `words`: {chosen, not_chosen, empty} in the patient's language. */
export function describe(control, words) {
  const parts = [control.name];
  if (control.entry) parts.push(control.value ? spell(control.value) : words.empty);
  if (control.pressed === "true") parts.push(words.chosen);
  if (control.pressed === "false") parts.push(words.not_chosen);
  return sentence(parts);
}

export function spell(value) {
  return Array.from(value.trim()).join(" ");
}

/* The voice for a language ("es" or "es-MX"): one of that exact language, else one of
   its family, a voice on the kiosk itself first (it works with no network). Null
   when there is none: the browser then picks by the utterance's lang. */
export function voiceFor(voices, language) {
  const family = language.split("-")[0].toLowerCase();
  const fits = (voice) => voice.lang.replace("_", "-").toLowerCase();
  const exact = voices.filter((voice) => fits(voice) === language.toLowerCase());
  const related = voices.filter((voice) => fits(voice).split("-")[0] === family);
  const candidates = exact.length ? exact : related;
  return candidates.find((voice) => voice.localService) || candidates[0] || null;
}
