import { test } from "node:test";
import assert from "node:assert/strict";

import { connectLive, nextStep } from "../../static/js/lib/live.js";

// --- The sequence rules ------------------------------------------------------------

const everyChange = { gapMeansMissed: true };
const someChanges = { gapMeansMissed: false };

test("a room that hears every change: next applies, older skips, a gap resyncs", () => {
  assert.equal(nextStep(5, 6, everyChange), "apply");
  assert.equal(nextStep(5, 5, everyChange), "skip");
  assert.equal(nextStep(5, 3, everyChange), "skip");
  assert.equal(nextStep(5, 7, everyChange), "resync");
  assert.equal(nextStep(null, 7, everyChange), "resync"); // nothing to build on yet
});

test("a room that hears every change takes any snapshot, even an older one", () => {
  assert.equal(nextStep(9, 2, { ...everyChange, snapshot: true }), "apply");
  assert.equal(nextStep(null, 2, { ...everyChange, snapshot: true }), "apply");
});

test("a room that hears some changes: gaps are normal, only older is skipped", () => {
  assert.equal(nextStep(5, 9, someChanges), "apply");
  assert.equal(nextStep(5, 5, someChanges), "apply");
  assert.equal(nextStep(5, 4, someChanges), "skip");
  assert.equal(nextStep(null, 4, someChanges), "apply");
  assert.equal(nextStep(5, 4, { ...someChanges, snapshot: true }), "skip");
});

test("an unsequenced message passes with the current seq; after a gap it resyncs", () => {
  assert.equal(nextStep(5, 5, { ...everyChange, unsequenced: true }), "pass");
  assert.equal(nextStep(null, 5, { ...everyChange, unsequenced: true }), "pass");
  assert.equal(nextStep(5, 7, { ...everyChange, unsequenced: true }), "resync");
});

// --- The connection, with a fake socket --------------------------------------------

function fakeSocket() {
  const handlers = {};
  const socket = {
    connected: true,
    active: true,
    options: null,
    syncs: [], // the ack callbacks of the `sync` requests sent
    connects: 0,
    on(event, handler) {
      handlers[event] = handler;
    },
    timeout() {
      return { emit: (event, payload, ack) => socket.syncs.push(ack) };
    },
    connect() {
      socket.connects += 1;
    },
    disconnect() {
      socket.connected = false;
      socket.active = false;
      handlers.disconnect?.("io client disconnect");
    },
    hear(event, payload) {
      handlers[event](payload);
    },
  };
  return socket;
}

function fakePage() {
  const listeners = [];
  return {
    visibilityState: "visible",
    addEventListener: (type, listener) => listeners.push(listener),
    show() {
      listeners.forEach((listener) => listener());
    },
  };
}

function connect(options = {}) {
  const socket = fakeSocket();
  const page = fakePage();
  const seen = [];
  const live = connectLive({
    auth: { display: "main" },
    updates: { display_update: (update) => seen.push(["update", update.seq]) },
    onSnapshot: (snapshot, previousSeq) => seen.push(["snapshot", snapshot.seq, previousSeq]),
    openSocket: (settings) => {
      socket.options = settings;
      return socket;
    },
    page,
    ...options,
  });
  return { live, socket, page, seen };
}

test("connects with the page's auth, WebSocket first, and its own options", () => {
  const { socket } = connect({ socketOptions: { reconnectionDelayMax: 3000 } });
  assert.deepEqual(socket.options, {
    auth: { display: "main" },
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 3000,
  });
});

test("updates in order are applied; a gap asks for one snapshot however many follow", () => {
  const { socket, seen } = connect();
  socket.hear("display_update", { kind: "snapshot", seq: 4 });
  socket.hear("display_update", { kind: "called", seq: 5 });
  socket.hear("display_update", { kind: "called", seq: 5 });
  socket.hear("display_update", { kind: "called", seq: 7 });
  socket.hear("display_update", { kind: "called", seq: 8 });
  assert.deepEqual(seen, [
    ["snapshot", 4, null],
    ["update", 5],
  ]);
  assert.equal(socket.syncs.length, 1, "the re-entry guard holds back a second sync");
  socket.syncs[0](null, { data: { kind: "snapshot", seq: 8 } });
  assert.deepEqual(seen.at(-1), ["snapshot", 8, 5]);
  socket.hear("display_update", { kind: "called", seq: 9 });
  assert.deepEqual(seen.at(-1), ["update", 9]);
});

test("once answered (or timed out), a new gap may sync again", () => {
  const { live, socket } = connect();
  live.resync();
  live.resync();
  assert.equal(socket.syncs.length, 1);
  socket.syncs[0](new Error("timed out"));
  live.resync();
  assert.equal(socket.syncs.length, 2);
});

test("a lost connection forgets the sync on its way, and a disconnected socket does not sync", () => {
  const { live, socket } = connect();
  live.resync();
  socket.connected = false;
  socket.hear("disconnect", "transport close");
  live.resync();
  assert.equal(socket.syncs.length, 1);
  socket.connected = true;
  live.resync();
  assert.equal(socket.syncs.length, 2);
});

test("a sync answered with an error goes to onSyncError", () => {
  const errors = [];
  const { live, socket } = connect({ onSyncError: (error) => errors.push(error.code) });
  live.resync();
  socket.syncs[0](null, { error: { code: "login_required", message: "Sign in." } });
  assert.deepEqual(errors, ["login_required"]);
});

test("where gaps are normal, a handler that returns false does not take the seq", () => {
  const seen = [];
  const { live, socket } = connect({
    gapMeansMissed: false,
    updates: {
      ticket_update: (update) => seen.push(["whole", update.seq]),
      ticket_place: (update) => (update.usable ? seen.push(["place", update.seq]) : false),
    },
  });
  live.receiveSnapshot({ kind: "snapshot", seq: 3 });
  socket.hear("ticket_update", { kind: "called", seq: 10 });
  socket.hear("ticket_place", { kind: "moved", seq: 12, usable: false });
  socket.hear("ticket_update", { kind: "started", seq: 11 });
  socket.hear("ticket_place", { kind: "moved", seq: 9, usable: true });
  assert.deepEqual(seen, [["whole", 10], ["whole", 11]]);
  assert.equal(socket.syncs.length, 0);
});

test("unsequenced kinds reach their handler without moving the seq", () => {
  const seen = [];
  const { socket } = connect({
    unsequencedKinds: ["presence"],
    updates: { staff_update: (update) => seen.push([update.kind, update.seq]) },
  });
  socket.hear("staff_update", { kind: "snapshot", seq: 4 });
  socket.hear("staff_update", { kind: "presence", seq: 4 });
  socket.hear("staff_update", { kind: "called", seq: 5 });
  assert.deepEqual(seen, [["presence", 4], ["called", 5]]);
});

test("the connection state: live, reconnecting, refused", () => {
  const states = [];
  const { socket } = connect({ onState: (state) => states.push(state) });
  socket.hear("connect");
  socket.hear("disconnect", "transport close");
  socket.hear("connect_error", new Error("xhr poll error"));
  socket.active = false;
  socket.hear("connect_error", new Error("refused"));
  socket.hear("disconnect", "io server disconnect");
  assert.deepEqual(states, ["live", "reconnecting", "reconnecting", "refused", "refused"]);
});

test("a page seen again resyncs if connected, and connects if not", () => {
  const { socket, page } = connect();
  page.visibilityState = "hidden";
  page.show();
  assert.equal(socket.syncs.length, 0);
  page.visibilityState = "visible";
  page.show();
  assert.equal(socket.syncs.length, 1);
  socket.syncs[0](null, { data: { kind: "snapshot", seq: 1 } });
  socket.connected = false;
  page.show();
  assert.equal(socket.connects, 1);
  assert.equal(socket.syncs.length, 1);
});

test("after close the page hears nothing more", () => {
  const states = [];
  const { live, socket, page, seen } = connect({ onState: (state) => states.push(state) });
  live.close();
  socket.hear("display_update", { kind: "snapshot", seq: 1 });
  page.show();
  assert.deepEqual(seen, []);
  assert.deepEqual(states, []);
  assert.equal(socket.connects, 0);
});
