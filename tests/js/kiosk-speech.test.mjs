import { test } from "node:test";
import assert from "node:assert/strict";

import { describe, sentence, spell, voiceFor } from "../../static/js/kiosk/spoken.js";
import { backFrom, keypadCommand, stepIndex } from "../../static/js/kiosk/keypad-keys.js";

const WORDS = { chosen: "On", not_chosen: "Off", empty: "Empty" };

test("parts are spoken as sentences: blanks dropped, lines split, a full stop added", () => {
  assert.equal(
    sentence(["Type your last name", "", null, "  Your family name,\n as the clinic has it. "]),
    "Type your last name. Your family name, as the clinic has it."
  );
  assert.equal(sentence(["¿Necesita un intérprete?", "Sí"]), "¿Necesita un intérprete? Sí.");
  assert.equal(sentence(["هل تحتاج إلى مترجم؟"]), "هل تحتاج إلى مترجم؟");
  assert.equal(sentence([]), "");
});

test("a toggle says whether it is on, a box what it holds letter by letter", () => {
  assert.equal(describe({ name: "Read aloud", pressed: "true" }, WORDS), "Read aloud. On.");
  assert.equal(describe({ name: "Walk-in", pressed: null }, WORDS), "Walk-in.");
  assert.equal(
    describe({ name: "I may not see the screen", pressed: "false" }, WORDS),
    "I may not see the screen. Off."
  );
  assert.equal(describe({ name: "Appointment code", entry: true, value: "RV10" }, WORDS), "Appointment code. R V 1 0.");
  assert.equal(describe({ name: "Appointment code", entry: true, value: "" }, WORDS), "Appointment code. Empty.");
  assert.equal(spell(" ab "), "a b");
});

test("the voice of the language, a local one first, else its family, else none", () => {
  const voices = [
    { name: "net-es", lang: "es-ES", localService: false },
    { name: "local-es", lang: "es-ES", localService: true },
    { name: "mx", lang: "es_MX", localService: false },
    { name: "en", lang: "en-GB", localService: true },
  ];
  assert.equal(voiceFor(voices, "es-ES").name, "local-es");
  assert.equal(voiceFor(voices, "es-MX").name, "mx");
  assert.equal(voiceFor(voices, "es").name, "local-es");
  assert.equal(voiceFor(voices, "en").name, "en");
  assert.equal(voiceFor(voices, "ar"), null);
  assert.equal(voiceFor([], "en"), null);
});

test("keypad keys: arrows move, star repeats, Back goes back, plus reads aloud", () => {
  assert.equal(keypadCommand("ArrowDown"), "next");
  assert.equal(keypadCommand("ArrowRight"), "next");
  assert.equal(keypadCommand("ArrowUp"), "previous");
  assert.equal(keypadCommand("ArrowLeft"), "previous");
  assert.equal(keypadCommand("*"), "repeat");
  assert.equal(keypadCommand("Escape"), "back");
  assert.equal(keypadCommand("Backspace"), "back");
  assert.equal(keypadCommand("+"), "read-aloud");
  assert.equal(keypadCommand("Enter"), null); // a button's own: it chooses
  assert.equal(keypadCommand("a"), null);
});

test("right to left, the arrows left and right swap; up and down do not", () => {
  assert.equal(keypadCommand("ArrowLeft", "rtl"), "next");
  assert.equal(keypadCommand("ArrowRight", "rtl"), "previous");
  assert.equal(keypadCommand("ArrowDown", "rtl"), "next");
  assert.equal(keypadCommand("*", "rtl"), "repeat");
});

test("moving goes round the ends; from the heading to the first or the last", () => {
  assert.equal(stepIndex(-1, 4, 1), 0);
  assert.equal(stepIndex(-1, 4, -1), 3);
  assert.equal(stepIndex(3, 4, 1), 0);
  assert.equal(stepIndex(0, 4, -1), 3);
  assert.equal(stepIndex(1, 4, 1), 2);
  assert.equal(stepIndex(-1, 0, 1), -1);
});

test("Back goes to the screen before; the ticket has none", () => {
  assert.equal(backFrom("code"), "start");
  assert.equal(backFrom("name"), "code");
  assert.equal(backFrom("dob"), "name");
  assert.equal(backFrom("walk-in"), "start");
  assert.equal(backFrom("route"), "find");
  assert.equal(backFrom("online"), "start"); // "I joined online"
  assert.equal(backFrom("online-mobile"), "online");
  assert.equal(backFrom("confirm"), "not-me");
  assert.equal(backFrom("ticket"), null);
  assert.equal(backFrom("start"), null);
  assert.equal(backFrom("problem", { retryScreen: "code", retryable: true }), "code");
  assert.equal(backFrom("problem", { retryScreen: "code", retryable: false }), "start");
});
