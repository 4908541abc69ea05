import { test } from "node:test";
import assert from "node:assert/strict";

import { makeTexts } from "../../static/js/lib/texts.js";
import { interpretersNeeded, languageName, matchesNeedFilter, needMarkers } from "../../static/js/desk/needs.js";
import { spokenCall } from "../../static/js/phone/call-alert.js";

const t = makeTexts({
  need_interpreter: "Interpreter: {language}",
  need_in_person: "Call in person",
  need_may_not_see: "May not see the screen",
  spoken_call: "Number {number}, it's your turn. Please go to {room}.",
});

const ticket = (fields) => ({
  number: "G-001",
  language: "ar",
  interpreter: false,
  may_not_hear: false,
  may_not_see: false,
  ...fields,
});

test("the desk's markers name the interpreter's language and how to call", () => {
  const all = ticket({ interpreter: true, may_not_hear: true, may_not_see: true });
  assert.deepEqual(needMarkers(t, all, "en"), [
    { kind: "interpreter", text: "Interpreter: Arabic" },
    { kind: "in-person", text: "Call in person" },
    { kind: "may-not-see", text: "May not see the screen" },
  ]);
  assert.deepEqual(needMarkers(t, ticket({ interpreter: true, language: "es" }), "es"), [
    { kind: "interpreter", text: "Interpreter: español" },
  ]);
  assert.deepEqual(needMarkers(t, ticket({}), "en"), []);
});

test("a language code the browser cannot name is shown as the code", () => {
  assert.equal(languageName("vi", "en"), "Vietnamese");
  assert.equal(languageName("!!", "en"), "!!");
});

test("the filter keeps the tickets that asked", () => {
  const tickets = [
    ticket({ number: "A", interpreter: true }),
    ticket({ number: "B", may_not_hear: true }),
    ticket({ number: "C", may_not_see: true }),
    ticket({ number: "D" }),
  ];
  const kept = (filter) => tickets.filter((x) => matchesNeedFilter(x, filter)).map((x) => x.number);
  assert.deepEqual(kept("all"), ["A", "B", "C", "D"]);
  assert.deepEqual(kept("interpreter"), ["A"]);
  assert.deepEqual(kept("in_person"), ["B"]);
  assert.deepEqual(kept("may_not_see"), ["C"]);
  assert.deepEqual(kept("nonsense"), ["A", "B", "C", "D"]);
});

test("interpreters still needed, per language, most first, with their numbers", () => {
  const tickets = [
    ticket({ number: "G-003", language: "es", interpreter: true }),
    ticket({ number: "B-001", language: "ar", interpreter: true }),
    ticket({ number: "G-001", language: "es", interpreter: true }),
    ticket({ number: "G-002", language: "es" }),
  ];
  assert.deepEqual(interpretersNeeded(tickets), [
    { language: "es", numbers: ["G-001", "G-003"] },
    { language: "ar", numbers: ["B-001"] },
  ]);
  assert.deepEqual(interpretersNeeded([]), []);
});

test("the phone's spoken call says the number as spoken and the room", () => {
  assert.equal(
    spokenCall(t, { number: "G-012", spoken: "G 12" }, "Room 3"),
    "Number G 12, it's your turn. Please go to Room 3."
  );
});
