import { test } from "node:test";
import assert from "node:assert/strict";

import { askAgainAfter } from "../../static/js/lib/pairing.js";

test("a waiting screen asks less and less often, down to every 6 s", () => {
  const waits = [2000];
  for (let i = 0; i < 5; i += 1) waits.push(askAgainAfter(waits.at(-1), 200));
  assert.deepEqual(waits, [2000, 3000, 4500, 6000, 6000, 6000]);
});

test("a screen told it asked too often waits 30 s, then starts over", () => {
  assert.equal(askAgainAfter(3000, 429), 30000);
  assert.equal(askAgainAfter(30000, 200), 2000);
  assert.equal(askAgainAfter(30000, 429), 30000);
});

test("a server that does not answer is asked again as often as one that does", () => {
  assert.equal(askAgainAfter(4500, 0), 6000);
});
