import { test } from "node:test";
import assert from "node:assert/strict";

import { makeTexts } from "../../static/js/lib/texts.js";
import { accuracyText } from "../../static/js/desk/accuracy.js";
import { roomOccupant, sentenceAfter } from "../../static/js/desk/actions.js";
import { previousChoice } from "../../static/js/desk/dialogs.js";
import { ApiError, apiError } from "../../static/js/lib/http.js";
import {
  applyChange,
  applySnapshot,
  calledTo,
  emptyQueue,
  inCallOrder,
  minutesSince,
  missedFor,
  transferTargets,
  waitingFor,
} from "../../static/js/desk/queue.js";

const T0 = "2026-01-01T09:00:00Z";
const T1 = "2026-01-01T09:05:00Z";

function ticket(id, fields = {}) {
  return {
    id,
    number: `B-${id}`,
    status: "waiting",
    priority: 0,
    queue_at: T0,
    arrived_at: T0,
    service: { prefix: "B" },
    room: null,
    ...fields,
  };
}

function queueWith(tickets) {
  const queue = emptyQueue();
  applySnapshot(queue, {
    seq: 1,
    site: { timezone: "UTC" },
    services: [{ prefix: "B", names: { en: "Blood tests" } }, { prefix: "X", names: { en: "X-ray" } }],
    rooms: [{ code: "lab-1", services: ["B"], names: { en: "Lab 1" }, paused: false }],
    notices: [],
    tickets,
  });
  return queue;
}

test("call order: priority first, then the place earned, then arrival, then id", () => {
  const tickets = [
    ticket(4, { arrived_at: T1 }),
    ticket(3, { queue_at: T1 }),
    ticket(2, { priority: 2, queue_at: T1 }),
    ticket(1, { arrived_at: T1 }),
  ];
  assert.deepEqual(tickets.sort(inCallOrder).map((t) => t.id), [2, 1, 4, 3]);
});

test("the lists of a room: waiting for its services, called to it newest first, missed", () => {
  const queue = queueWith([
    ticket(1),
    ticket(2, { service: { prefix: "X" } }),
    ticket(3, { status: "called", room: { code: "lab-1" }, called_at: T0 }),
    ticket(4, { status: "in_service", room: { code: "lab-1" }, called_at: T1 }),
    ticket(5, { status: "no_show", called_at: T1 }),
  ]);
  const room = queue.rooms[0];
  assert.deepEqual(waitingFor(queue, room).map((t) => t.id), [1]);
  assert.deepEqual(calledTo(queue, "lab-1").map((t) => t.id), [4, 3]);
  assert.deepEqual(missedFor(queue, room).map((t) => t.id), [5]);
  assert.deepEqual(waitingFor(queue, undefined), []);
});

test("a change keeps open tickets, drops closed ones and moves places of the others", () => {
  const queue = queueWith([ticket(1), ticket(2), ticket(3)]);
  applyChange(queue, {
    seq: 2,
    tickets: [ticket(1, { status: "completed" }), ticket(2, { status: "called" })],
    places: [{ id: 3, estimate: { central: 0 } }, { id: 9, estimate: null }],
    rooms: queue.rooms,
    notices: [],
  });
  assert.equal(queue.seq, 2);
  assert.deepEqual([...queue.tickets.keys()], [2, 3]);
  assert.equal(queue.tickets.get(2).status, "called");
  assert.deepEqual(queue.tickets.get(3).estimate, { central: 0 });
  assert.equal(queue.tickets.get(3).number, "B-3");
});

test("a waiting ticket is not offered its own service to transfer to; a called one is", () => {
  const queue = queueWith([]);
  assert.deepEqual(transferTargets(queue, ticket(1)).map((s) => s.prefix), ["X"]);
  assert.deepEqual(transferTargets(queue, ticket(1, { status: "called" })).map((s) => s.prefix), ["B", "X"]);
});

test("minutes since never goes below zero", () => {
  const now = new Date(T1).getTime();
  assert.equal(minutesSince(T0, now), 5);
  assert.equal(minutesSince("2026-01-01T09:10:00Z", now), 0);
});

test("the feedback line names the ticket, the room, the service or the level", () => {
  const t = makeTexts({
    called: "Called {number} to {room}.",
    recalled: "Called {number} again.",
    transferred: "{number} now waits for {service}.",
    prioritised: "{number}: {level}.",
    priority_2: "High",
  });
  const labels = { roomName: (code) => `room ${code}`, serviceName: (prefix) => `service ${prefix}` };
  const one = ticket(1);
  const said = (action, body, answer) => sentenceAfter(t, labels, { action, ticket: one, body, answer });
  assert.equal(said("call", { room: "lab-1" }, { ticket: one }), "Called B-1 to room lab-1.");
  assert.equal(said("recall", {}), "Called B-1 again.");
  assert.equal(said("transfer", { service: "X" }), "B-1 now waits for service X.");
  assert.equal(said("priority", { level: 2 }), "B-1: High.");
});

test("accuracy: none until someone was called, then rounded percentages", () => {
  const t = makeTexts({ accuracy_none: "none", accuracy: "{share}% / {coverage}% / {patients}" });
  assert.equal(accuracyText(t, null), "none");
  assert.equal(accuracyText(t, { patients: 0 }), "none");
  assert.equal(accuracyText(t, { patients: 7, within_10: 0.714, coverage: 0.8 }), "71% / 80% / 7");
});

test("a refused call names the room's patient who has not come; other refusals do not", () => {
  const holder = { ticket: 7, number: "B-017", room: "lab-1" };
  const refused = apiError(409, { error: { code: "room_occupied", message: "...", details: [holder] } });
  assert.deepEqual(roomOccupant(refused), holder);
  assert.equal(roomOccupant(new ApiError(409, "invalid_transition", "...", [holder])), null);
  assert.equal(roomOccupant(new ApiError(409, "room_occupied", "...", undefined)), null);
  assert.equal(roomOccupant(new ApiError(409, "room_occupied", "...", [{ ticket: 7 }])), null);
  assert.equal(roomOccupant(null), null);
});

test("the dialog's answer becomes the call's previous, or no call at all", () => {
  assert.equal(previousChoice("no_show"), "no_show");
  assert.equal(previousChoice("return"), "return");
  assert.equal(previousChoice("close"), null);
  assert.equal(previousChoice(""), null); // Escape
});

// --- Texts (desk/texts.js) ---------------------------------------------------------

import { applyTextsNews, replyNews, textNews, textsState } from "../../static/js/desk/texts.js";

const textWords = makeTexts({
  texts_none: "No number for texts.",
  texts_state_on: "Texts go to the number ending in {digits}.",
  texts_state_failed: "The last text to the number ending in {digits} did not go out.",
  text_not_sent: "The text to {number} did not go out. Tell them in person.",
  number_refused: "The provider refused the number of {number}.",
});

test("the texts dialog says where texts go, and whether the last went out", () => {
  assert.equal(textsState(textWords, null), "No number for texts.");
  assert.equal(textsState(textWords, { last_digits: "56", last: "sent" }), "Texts go to the number ending in 56.");
  assert.equal(
    textsState(textWords, { last_digits: "56", last: "failed" }),
    "The last text to the number ending in 56 did not go out."
  );
});

test("the desk is told of a failed text and a refused number, not of a text that went out", () => {
  const ticket = { id: 7, number: "N-004" };
  assert.equal(textNews(textWords, { ticket, outcome: "failed" }), "The text to N-004 did not go out. Tell them in person.");
  assert.equal(textNews(textWords, { ticket, outcome: "gone" }), "The provider refused the number of N-004.");
  assert.equal(textNews(textWords, { ticket, outcome: "sent" }), "");
});

test("news of a text changes only that ticket's texts", () => {
  const queue = emptyQueue();
  queue.tickets.set(7, { id: 7, number: "N-004", texts: { last_digits: "56", last: null } });
  applyTextsNews(queue, { ticket: { id: 7 }, texts: { last_digits: "56", last: "failed" } });
  applyTextsNews(queue, { ticket: { id: 8 }, texts: null }); // not on this desk: ignored
  assert.deepEqual(queue.tickets.get(7), { id: 7, number: "N-004", texts: { last_digits: "56", last: "failed" } });
  assert.equal(queue.tickets.size, 1);
});

// --- Phone alerts (desk/push.js) ---------------------------------------------------

import { applyPushNews, pushNews } from "../../static/js/desk/push.js";

test("the desk is told of a failed phone alert and of a phone that takes none, not of one that went out", () => {
  const t = makeTexts({
    alert_not_sent: "The phone alert to {number} did not go out. Tell them in person.",
    alerts_refused: "The phone of {number} no longer takes alerts, so they are off. Tell them in person.",
  });
  const ticket = { id: 7, number: "N-004" };
  assert.equal(pushNews(t, { ticket, outcome: "failed" }), "The phone alert to N-004 did not go out. Tell them in person.");
  assert.equal(
    pushNews(t, { ticket, outcome: "gone" }),
    "The phone of N-004 no longer takes alerts, so they are off. Tell them in person."
  );
  assert.equal(pushNews(t, { ticket, outcome: "sent" }), "");
});

test("news of a phone alert changes only that ticket's push, never its texts", () => {
  const queue = emptyQueue();
  const texts = { last_digits: "56", last: "sent" };
  queue.tickets.set(7, { id: 7, number: "N-004", texts, push: { last: null } });
  applyPushNews(queue, { ticket: { id: 7 }, push: { last: "failed" } });
  applyPushNews(queue, { ticket: { id: 8 }, push: null }); // not on this desk: ignored
  assert.deepEqual(queue.tickets.get(7), { id: 7, number: "N-004", texts, push: { last: "failed" } });
  applyPushNews(queue, { ticket: { id: 7 }, push: null }); // gone: the tag goes
  assert.equal(queue.tickets.get(7).push, null);
  assert.equal(queue.tickets.size, 1);
});

test("the desk hears what a patient texted: late, other words, stop, leave; not status or help", () => {
  const t = makeTexts({
    reply_late: "{number} texted: running late.",
    reply_other: "{number} texted: “{text}”",
    reply_stop: "{number} asked for no more texts.",
    reply_leave: "{number} left the queue by text.",
  });
  const ticket = { id: 7, number: "N-004" };
  assert.equal(replyNews(t, { ticket, keyword: "late", text: null }), "N-004 texted: running late.");
  assert.equal(replyNews(t, { ticket, keyword: "other", text: "Where is room 3?" }), "N-004 texted: “Where is room 3?”");
  assert.equal(replyNews(t, { ticket, keyword: "stop", text: null }), "N-004 asked for no more texts.");
  assert.equal(replyNews(t, { ticket, keyword: "leave", text: null }), "N-004 left the queue by text.");
  assert.equal(replyNews(t, { ticket, keyword: "status", text: null }), "");
});
