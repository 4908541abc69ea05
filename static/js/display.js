// The waiting-room display: shows and announces calls, waits and delays.
//
// It runs unattended for weeks, so: everything it draws is rebuilt from the latest
// state (the DOM never grows), it keeps no history beyond the last call id, and it
// reconnects and resyncs by itself (lib/live.js). It only ever receives display-safe
// data. The screen cannot scroll: CSS lays it out to the screen's size, and what does
// not fit takes turns (display/pager.js). Sound lives in display/sound.js.
import { connectLive } from "./lib/live.js";
import { fill, nameIn, noticeWords } from "./lib/texts.js";
import { byId, make, pageConfig } from "./lib/dom.js";
import { makeAnnouncer } from "./display/sound.js";
import { splitCalls } from "./display/calls.js";
import { makeRotation, pageList, stackList } from "./display/pager.js";
import { reloadWhenUnpaired, waitUntilPaired } from "./lib/pairing.js";

const config = pageConfig("display-config");
const strings = config.strings;

// A new screen shows its pairing code until an administrator makes it a display; then
// it becomes that display here, without a reload.
if (config.pairing) {
  const answer = await waitUntilPaired(config.pairing, strings.pairing_expires);
  if (answer.setup.site.slug !== config.site.slug) window.location.reload();
  Object.assign(config, answer.setup, { pairing: null });
  byId("pairing").remove();
  byId("main").classList.remove("waiting-for-pairing");
}
byId("device-name").textContent = config.device ? config.device.name || "" : "";

const RETRY_REFUSED_MS = 10000; // the server refused us (e.g. it is still starting)

const el = {
  connection: byId("connection-text"),
  clock: byId("clock"),
  nowCalls: byId("now-calls"),
  recentBox: byId("recent-box"),
  recent: byId("recent-calls"),
  recentPages: byId("recent-pages"),
  waitsBox: byId("waits-box"),
  waits: byId("service-waits"),
  waitsPages: byId("waits-pages"),
  noticesSection: byId("notices-section"),
  notices: byId("notices"),
  noticesPages: byId("notices-pages"),
  noticesHeading: byId("notices-heading"),
};

let lastCallId = null; // the newest call already shown (and announced, if sound is on)
let lastState = null; // drawn again when the screen changes size
let statements = []; // "You said, we did": published words, shown in turn with delays

const rotation = makeRotation({
  cycleSeconds: config.cycle_seconds,
  pageLabel: (page, pages) => fill(strings.page_of, { page, pages }),
});

// --- What this display shows ---------------------------------------------------

const shownServices = config.shown_services ? new Set(config.shown_services) : null;

function serviceShown(prefix) {
  return shownServices === null || shownServices.has(prefix);
}

function noticeShown(notice) {
  if (notice.scope === "service") return serviceShown(notice.service);
  if (notice.scope === "room") {
    const room = config.rooms[notice.room];
    return !room || shownServices === null || room.services.some(serviceShown);
  }
  return true;
}

// --- Words ---------------------------------------------------------------------

/* In `language`, else in the page's, else in the display's or the site's languages. */
function inLanguage(names, language) {
  return nameIn(names, language, [...config.display_languages, ...config.site.languages]);
}

function roomName(room, language) {
  return room ? inLanguage(room.names, language) : "";
}

// "Room 3, Level 1, take the elevator": made by the server in each of the site's
// languages (none when the site has no map).
function hintFor(call, language) {
  return (call.hints && call.hints[language]) || "";
}

/* The way after the room's name ("Level 1, take the elevator" from "Room 3, Level 1,
 * take the elevator"), where the room's name stands just above it. */
function wayAfterRoom(call, language) {
  const hint = hintFor(call, language);
  const room = roomName(call.room, language);
  return room && hint.startsWith(`${room}, `) ? hint.slice(room.length + 2) : hint;
}

/* Where to go, as said aloud: the way when the site's map knows it, else the room. */
function wayTo(call, language) {
  return hintFor(call, language) || roomName(call.room, language);
}

function serviceName(prefix, language) {
  const service = config.services.find((s) => s.prefix === prefix);
  return service ? inLanguage(service.names, language) : prefix;
}

const plural = new Intl.PluralRules(config.language);

function waitingText(count) {
  const form = strings.waiting[plural.select(count)] || strings.waiting.other;
  return fill(form, { count });
}

function typicalWaitText(minutes) {
  return minutes > 0 ? fill(strings.about_minutes, { minutes }) : strings.no_wait;
}

// A notice's words: the reason in the page's language, then in the display's others (as
// the call's room is shown); staff's note as typed, marked as the clinic's words.
function noticeText(notice, language) {
  const { reason, note } = noticeWords(notice, language, strings.notice_note, config.site.languages);
  const lines = reason ? [make("p", "notice-reason", reason)] : [];
  for (const lang of config.display_languages) {
    const said = notice.reasons && notice.reasons[lang];
    if (lang === language || !said || said === reason) continue;
    const other = make("p", "notice-reason-other", said);
    other.lang = lang;
    lines.push(other);
  }
  if (note) lines.push(make("p", "notice-note", note));
  return lines;
}

function noticeTitle(notice, language) {
  if (notice.scope === "service") {
    return fill(strings.notice_service, { target: serviceName(notice.service, language) });
  }
  if (notice.scope === "room") {
    const room = config.rooms[notice.room];
    return fill(strings.notice_room, { target: room ? roomName(room, language) : notice.room });
  }
  return strings.notice_site;
}

// --- Drawing -------------------------------------------------------------------

function render(state) {
  lastState = state;
  const { now, recent } = splitCalls(state.calls.filter((c) => serviceShown(c.service)));
  // The calls and the delays first: the lists measure the space they leave.
  renderNow(now);
  renderNotices(state.notices.filter(noticeShown));
  renderRecent(recent);
  renderWaits(state.services.filter((s) => serviceShown(s.prefix)));
}

/* The calls of the last few seconds side by side, newest first; redrawn only when they
 * or what they show change (a room renamed in the admin console), so that screen
 * readers hear a call once. The newest card and its parts have ids (#now-call,
 * #now-number, #now-room, #now-hint, #now-room-other). */
function renderNow(calls) {
  const shown = JSON.stringify(calls);
  if (el.nowCalls.dataset.shown === shown) return;
  el.nowCalls.dataset.shown = shown;
  const key = calls.map((c) => c.id).join(",");
  const before = new Set((el.nowCalls.dataset.calls || "").split(",").filter(Boolean));
  const firstDraw = el.nowCalls.dataset.calls === undefined;
  el.nowCalls.dataset.calls = key;
  el.nowCalls.dataset.count = String(Math.max(1, calls.length));
  if (calls.length === 0) {
    el.nowCalls.replaceChildren(nobodyCalled());
    return;
  }
  el.nowCalls.replaceChildren(
    ...calls.map((call, i) => {
      const card = callCard(call, i === 0);
      if (!firstDraw && !before.has(String(call.id))) card.classList.add("fresh");
      return card;
    })
  );
}

function callCard(call, newest) {
  const card = make("li", "call");
  card.dataset.callId = String(call.id);
  const number = make("p", "call-number now-number", call.number);
  const room = make("p", "call-room now-room", roomName(call.room, config.language));
  const hint = make("p", "call-hint now-hint", wayAfterRoom(call, config.language));
  // The room and its way in the display's other languages too (the site's few it
  // chose: display_languages), for patients who read those better.
  const others = config.display_languages
    .filter((lang) => lang !== config.language)
    .map((lang) => wayTo(call, lang))
    .filter((name) => name && name !== room.textContent);
  const other = make("p", "call-other now-room-other", others.join(" · "));
  if (newest) {
    card.id = "now-call";
    number.id = "now-number";
    room.id = "now-room";
    hint.id = "now-hint";
    other.id = "now-room-other";
  }
  card.append(number, room, hint, other);
  if (call.recall) card.append(make("p", "call-recall", strings.recall));
  return card;
}

function nobodyCalled() {
  const card = make("li", "call call-none");
  card.id = "now-call";
  const number = make("p", "call-number now-number", "–");
  number.id = "now-number";
  const room = make("p", "call-room now-room", strings.nobody_called);
  room.id = "now-room";
  card.append(number, room);
  return card;
}

function renderRecent(calls) {
  const items = calls.map((call) => {
    const item = make("li", "recent-call");
    item.dataset.callId = String(call.id);
    item.append(make("span", "recent-number", call.number));
    item.append(make("span", "recent-room", roomName(call.room, config.language)));
    const way = wayAfterRoom(call, config.language);
    if (way) item.append(make("span", "recent-hint", way));
    if (call.recall) item.append(make("span", "recent-recall", strings.recall));
    return item;
  });
  el.recent.replaceChildren(...items);
  pageList(rotation, "recent", el.recentBox, items, el.recentPages);
}

function renderWaits(services) {
  const rows = services.map((service) => {
    const row = make("tr");
    row.dataset.service = service.prefix;
    const name = make("th", "wait-service", inLanguage(service.names, config.language));
    name.scope = "row";
    row.append(name);
    row.append(make("td", "wait-count", waitingText(service.waiting)));
    row.append(make("td", "wait-time", typicalWaitText(service.typical_wait)));
    return row;
  });
  el.waits.replaceChildren(...rows);
  pageList(rotation, "waits", el.waitsBox, rows, el.waitsPages);
}

function renderNotices(notices) {
  el.noticesSection.hidden = notices.length === 0 && statements.length === 0;
  const delays = notices.map((notice) => {
    const item = make("li", "notice");
    item.dataset.noticeId = String(notice.id);
    item.append(make("p", "notice-title", noticeTitle(notice, config.language)));
    item.append(...noticeText(notice, config.language));
    item.append(make("p", "notice-extra", fill(strings.notice_extra, { minutes: notice.expected_minutes })));
    item.dataset.heading = strings.delays;
    return item;
  });
  const said = statements.map((text) => {
    const item = make("li", "statement", text);
    item.dataset.heading = strings.you_said;
    return item;
  });
  const items = [...delays, ...said];
  el.notices.replaceChildren(...items);
  stackList(rotation, "notices", items, el.noticesPages, (item) => {
    el.noticesHeading.textContent = item.dataset.heading;
  });
}

function renderClock() {
  el.clock.textContent = new Date().toLocaleTimeString(config.language, {
    hour: "2-digit",
    minute: "2-digit",
  });
}

// A TV's screen changes size when it is turned, or when the browser goes full screen:
// the pages are measured again.
let resizing = null;
window.addEventListener("resize", () => {
  cancelAnimationFrame(resizing);
  resizing = requestAnimationFrame(() => lastState && render(lastState));
});

// --- Updates -------------------------------------------------------------------

function applySnapshot(snapshot, previousSeq) {
  // A lower seq means the server's database was reset: start afresh, say nothing old.
  if (previousSeq !== null && snapshot.seq < previousSeq) lastCallId = null;
  if (snapshot.statements) statements = snapshot.statements;
  if (snapshot.arrival_code) showArrivalCode(snapshot.arrival_code);
  apply(snapshot);
}

/* "You said, we did": only what staff published. They take turns with the delays in
 * the same corner, so the screen's layout (and what fits it) does not change. */
function showStatements(published) {
  statements = published;
  if (lastState) render(lastState);
}

/* The day's arrival code: sent when the site's day turns (server/services/arrival.py). */
function showArrivalCode(code) {
  const shown = document.getElementById("arrival-code-value");
  if (shown && code) shown.textContent = code;
}

function apply(update) {
  render(update.state);
  announceNewCalls(update.state.calls);
}

// Calls are announced by their ids rather than by each update's `announce`, so that a
// call that arrived inside a resync snapshot (after a gap or a reconnect) is still
// announced, and a recall (a new call id) is announced again. Several new calls are
// announced in turn, oldest first.
function announceNewCalls(calls) {
  const newest = calls.reduce((max, c) => Math.max(max, c.id), 0);
  if (lastCallId === null) {
    lastCallId = newest; // the calls already on screen when the page opened
    return;
  }
  const fresh = calls
    .filter((c) => c.id > lastCallId && serviceShown(c.service))
    .sort((a, b) => a.id - b.id);
  lastCallId = Math.max(lastCallId, newest);
  fresh.forEach(announcer.announce);
}

const announcer = makeAnnouncer({
  languages: config.display_languages,
  speech: config.speech,
  soundBlocked: strings.sound_blocked,
  wayTo,
});

// --- Connection ----------------------------------------------------------------

function showConnection(state) {
  el.connection.hidden = state === "live";
  // The client retries by itself after a network drop; a refused connection it leaves
  // to us.
  if (state === "refused") setTimeout(() => live.socket.connect(), RETRY_REFUSED_MS);
}

const auth = { display: config.site.slug };
if (config.device && config.device.code) auth.device = config.device.code;

// Retries back off to 3 s at most (Socket.IO's default is 5 s): a TV should be back
// soon after the server, and a few hundred screens retrying is still little load.
const live = connectLive({
  auth,
  socketOptions: { reconnectionDelayMax: 3000 },
  gapMeansMissed: true,
  updates: {
    display_update: apply,
    display_statements: (message) => showStatements(message.statements),
    display_arrival: (message) => showArrivalCode(message.code),
  },
  // A new list of statements, or the day's new arrival code, is not a queue change: it
  // carries the seq unchanged.
  unsequencedKinds: ["statements", "arrival_code"],
  onSnapshot: applySnapshot,
  onState: showConnection,
});
reloadWhenUnpaired(live.socket);

statements = config.statements || [];
renderClock();
setInterval(renderClock, 15000);
