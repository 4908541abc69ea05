import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";

import { forgetTicket, rememberTicket, ticketsOf } from "../../static/js/lib/remote-tickets.js";

// A local storage of the page's own, as a browser gives it.
class Storage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
}

beforeEach(() => {
  globalThis.localStorage = new Storage();
});

test("a remote ticket is remembered per site, newest first, once, until it is forgotten", () => {
  assert.deepEqual(ticketsOf("riverside"), []);
  rememberTicket("riverside", "tok-1", "G-001");
  rememberTicket("riverside", "tok-2", "G-002");
  rememberTicket("riverside", "tok-1", "G-001"); // its page again: not twice
  rememberTicket("hillside", "tok-3", "B-001");
  assert.deepEqual(ticketsOf("riverside"), [
    { token: "tok-1", number: "G-001" },
    { token: "tok-2", number: "G-002" },
  ]);
  forgetTicket("riverside", "tok-1");
  assert.deepEqual(ticketsOf("riverside"), [{ token: "tok-2", number: "G-002" }]);
  forgetTicket("riverside", "tok-2");
  assert.equal(JSON.parse(localStorage.getItem("waitroom.remote-tickets")).riverside, undefined);
  assert.deepEqual(ticketsOf("hillside"), [{ token: "tok-3", number: "B-001" }]);
});

test("a family's tickets are kept, the oldest let go past five", () => {
  for (let n = 1; n <= 7; n += 1) rememberTicket("riverside", `tok-${n}`, `G-00${n}`);
  assert.deepEqual(
    ticketsOf("riverside").map((t) => t.number),
    ["G-007", "G-006", "G-005", "G-004", "G-003"]
  );
});

test("what another page wrote there, or a browser that refuses storage, breaks nothing", () => {
  localStorage.setItem("waitroom.remote-tickets", "not json");
  assert.deepEqual(ticketsOf("riverside"), []);
  localStorage.setItem("waitroom.remote-tickets", JSON.stringify({ riverside: [null, { token: 3 }] }));
  assert.deepEqual(ticketsOf("riverside"), []);
  globalThis.localStorage = {
    getItem() {
      throw new Error("denied");
    },
    setItem() {
      throw new Error("denied");
    },
  };
  rememberTicket("riverside", "tok-1", "G-001");
  assert.deepEqual(ticketsOf("riverside"), []);
});
