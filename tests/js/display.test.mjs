import { test } from "node:test";
import assert from "node:assert/strict";

import { splitCalls } from "../../static/js/display/calls.js";
import { pageAt } from "../../static/js/display/pager.js";

const T0 = Date.parse("2026-06-15T09:00:00Z");

function callAt(id, secondsAfterT0) {
  return { id, at: new Date(T0 + secondsAfterT0 * 1000).toISOString() };
}

const ids = (calls) => calls.map((c) => c.id);

test("calls within a few seconds of the newest are now calling together", () => {
  const calls = [callAt(3, 20), callAt(2, 20), callAt(1, 5)]; // newest first
  const { now, recent } = splitCalls(calls);
  assert.deepEqual(ids(now), [3, 2]);
  assert.deepEqual(ids(recent), [1]);
});

test("a lone call is now calling alone, however old", () => {
  const { now, recent } = splitCalls([callAt(2, 600), callAt(1, 0)]);
  assert.deepEqual(ids(now), [2]);
  assert.deepEqual(ids(recent), [1]);
});

test("at most three calls side by side, and six recent after them", () => {
  const calls = Array.from({ length: 12 }, (_, i) => callAt(12 - i, 100 - i)); // 1 s apart
  const { now, recent } = splitCalls(calls);
  assert.deepEqual(ids(now), [12, 11, 10]);
  assert.deepEqual(ids(recent), [9, 8, 7, 6, 5, 4]);
});

test("no calls: nothing now, nothing recent", () => {
  assert.deepEqual(splitCalls([]), { now: [], recent: [] });
});

test("a call without a time is never grouped with the newest", () => {
  const { now } = splitCalls([callAt(2, 10), { id: 1, at: null }]);
  assert.deepEqual(ids(now), [2]);
});

test("each page has an equal share of the cycle, and every page comes once a cycle", () => {
  const cycleMs = 30000;
  const shown = new Set();
  for (let t = 0; t < cycleMs; t += 1000) shown.add(pageAt(T0 + t, cycleMs, 4));
  assert.deepEqual([...shown].sort(), [0, 1, 2, 3]);
  assert.equal(pageAt(7500, cycleMs, 4), 1);
  assert.equal(pageAt(123456, cycleMs, 1), 0);
  assert.equal(pageAt(123456, cycleMs, 0), 0);
});
