import { test } from "node:test";
import assert from "node:assert/strict";

import { clockTime, fill, makeTexts, nameIn, noticeWords } from "../../static/js/lib/texts.js";
import { placeInLine, waitEstimate } from "../../static/js/lib/ticket.js";

test("fill puts values in their placeholders and keeps unknown ones", () => {
  assert.equal(fill("Ticket {number}, go to {room}.", { number: "A-1", room: "Room 3" }), "Ticket A-1, go to Room 3.");
  assert.equal(fill("{count} waiting, {other}", { count: 0 }), "0 waiting, {other}");
  assert.equal(fill("{a}{a}", { a: 1 }), "11");
});

test("fill is one pass: a value that looks like a placeholder stays as it is", () => {
  assert.equal(fill("{reason} ({minutes} min)", { reason: "{minutes}", minutes: 5 }), "{minutes} (5 min)");
});

test("fill does not take values from the prototype", () => {
  assert.equal(fill("{constructor}", {}), "{constructor}");
});

test("t answers a filled text, and nothing for a text it lacks", () => {
  const t = makeTexts({ place: "You are number {position} in line." });
  assert.equal(t("place", { position: 4 }), "You are number 4 in line.");
  assert.equal(t("missing"), "");
});

test("nameIn: the page's language first", () => {
  assert.equal(nameIn({ en: "Blood tests", es: "Análisis" }, "es", ["en"]), "Análisis");
});

test("nameIn: then the site's languages in order", () => {
  const names = { fr: "Prises de sang", en: "Blood tests" };
  assert.equal(nameIn(names, "es", ["en", "fr"]), "Blood tests");
  assert.equal(nameIn(names, "es", ["fr", "en"]), "Prises de sang");
});

test("nameIn: then the first name given, and an empty name counts as none", () => {
  assert.equal(nameIn({ fr: "Prises de sang", de: "Blut" }, "es", ["en"]), "Prises de sang");
  assert.equal(nameIn({ es: "", en: "Blood tests" }, "es", ["en"]), "Blood tests");
  assert.equal(nameIn(null, "es"), "");
  assert.equal(nameIn({}, "es"), "");
});

test("a ticket's place and wait in words", () => {
  const t = makeTexts({
    place: "number {position}",
    place_next: "next",
    estimate: "about {central} ({low}-{high})",
    estimate_next: "up to {high}",
  });
  assert.equal(placeInLine(t, 3), "number 3");
  assert.equal(placeInLine(t, 1), "next");
  assert.equal(placeInLine(t, null), "");
  const estimate = { central: 12, low: 8, high: 20 };
  assert.equal(waitEstimate(t, { position: 3, estimate }), "about 12 (8-20)");
  assert.equal(waitEstimate(t, { position: 1, estimate }), "up to 20");
  assert.equal(waitEstimate(t, { position: 2, estimate: null }), "");
});

const NOTE = 'Note from the clinic: "{note}"';
const EMERGENCY = { en: "The doctor was called to an emergency", es: "El médico tuvo que atender una urgencia" };

test("a notice says its reason in the language asked, and the note as typed, marked", () => {
  const notice = { reasons: EMERGENCY, note: "Dr Patel", reason: "ignored" };
  assert.deepEqual(noticeWords(notice, "es", NOTE), {
    reason: EMERGENCY.es,
    note: 'Note from the clinic: "Dr Patel"',
  });
  assert.deepEqual(noticeWords({ reasons: EMERGENCY, note: null }, "en", NOTE), { reason: EMERGENCY.en, note: "" });
});

test("a notice falls back to the site's languages, and a note alone is still marked", () => {
  assert.deepEqual(noticeWords({ reasons: { en: "Running late" } }, "fr", NOTE, ["en"]), {
    reason: "Running late",
    note: "",
  });
  assert.deepEqual(noticeWords({ reasons: {}, note: "{minutes}" }, "en", NOTE), {
    reason: "",
    note: 'Note from the clinic: "{minutes}"',
  });
});

test("a notice from an older server shows its one-line reason", () => {
  assert.deepEqual(noticeWords({ reason: "Fire drill" }, "en", NOTE), { reason: "Fire drill", note: "" });
});

test("clockTime writes a clinic time as each language does", () => {
  assert.equal(clockTime("14:05", "en"), "2:05 PM");
  assert.equal(clockTime("14:05", "fr"), "14:05");
  assert.equal(clockTime("14:05", "pl"), "14:05");
  assert.equal(clockTime("14:05", "zh"), "14:05");
  assert.match(clockTime("14:05", "ar"), /م$/); // "PM" in Arabic
  assert.equal(clockTime("soon", "en"), "soon");
});
