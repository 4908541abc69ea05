import { test } from "node:test";
import assert from "node:assert/strict";

import { birthDate } from "../../static/js/kiosk/birth-date.js";
import { groupByKind, matches, plain, searchWords } from "../../static/js/kiosk/place-search.js";

const TODAY = new Date(Date.UTC(2026, 5, 15));

test("a birth date typed without leading zeros is sent as YYYY-MM-DD", () => {
  assert.deepEqual(birthDate("7", "3", "1950", TODAY), { value: "1950-03-07" });
});

test("a birth date with an empty box or a short year is incomplete", () => {
  assert.deepEqual(birthDate("", "3", "1950", TODAY), { error: "dob_incomplete" });
  assert.deepEqual(birthDate("7", "", "1950", TODAY), { error: "dob_incomplete" });
  assert.deepEqual(birthDate("7", "3", "195", TODAY), { error: "dob_incomplete" });
});

test("a day the month does not have, or a date after today, is invalid", () => {
  assert.deepEqual(birthDate("31", "2", "1950", TODAY), { error: "dob_invalid" });
  assert.deepEqual(birthDate("29", "2", "2023", TODAY), { error: "dob_invalid" });
  assert.deepEqual(birthDate("1", "13", "1950", TODAY), { error: "dob_invalid" });
  assert.deepEqual(birthDate("16", "6", "2026", TODAY), { error: "dob_invalid" });
});

test("a leap day and today itself are real birth dates", () => {
  assert.deepEqual(birthDate("29", "2", "2024", TODAY), { value: "2024-02-29" });
  assert.deepEqual(birthDate("15", "6", "2026", TODAY), { value: "2026-06-15" });
});

test("place search ignores case and accents", () => {
  assert.equal(plain("Análisis Niño"), "analisis nino");
  assert.deepEqual(searchWords("  Rayos  X "), ["rayos", "x"]);
});

test("a place matches when its text holds every word typed, in any order", () => {
  const text = plain("Lab counter 1 Laboratory Level 1");
  assert.ok(matches(text, searchWords("level lab")));
  assert.ok(matches(text, searchWords("")));
  assert.ok(!matches(text, searchWords("lab x-ray")));
});

test("places are grouped in runs of one kind, in the API's order", () => {
  const places = [
    { code: "a", kind_name: "Rooms" },
    { code: "b", kind_name: "Rooms" },
    { code: "c", kind_name: "Toilets" },
  ];
  const groups = groupByKind(places);
  assert.deepEqual(
    groups.map((group) => [group.kind, group.places.map((place) => place.code)]),
    [
      ["Rooms", ["a", "b"]],
      ["Toilets", ["c"]],
    ]
  );
});
