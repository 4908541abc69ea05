// The waiting-room display: shows and announces calls, waits and delays.
//
// It runs unattended for weeks, so: everything it draws is rebuilt from the latest
// state (the DOM never grows), it keeps no history beyond the last call id, and it
// reconnects and resyncs by itself (lib/live.js). It only ever receives display-safe
// data. Sound lives in display/sound.js.
import { connectLive } from "./lib/live.js";
import { fill, nameIn, noticeWords } from "./lib/texts.js";
import { byId, make, pageConfig } from "./lib/dom.js";
import { makeAnnouncer } from "./display/sound.js";

const config = pageConfig("display-config");
const strings = config.strings;

const MAX_RECENT = 6; // calls listed under "Now calling"
const RETRY_REFUSED_MS = 10000; // the server refused us (e.g. it is still starting)

const el = {
  connection: byId("connection-text"),
  clock: byId("clock"),
  nowCall: byId("now-call"),
  nowNumber: byId("now-number"),
  nowRoom: byId("now-room"),
  nowHint: byId("now-hint"),
  nowRoomOther: byId("now-room-other"),
  recent: byId("recent-calls"),
  waits: byId("service-waits"),
  noticesSection: byId("notices-section"),
  notices: byId("notices"),
};

let lastCallId = null; // the newest call already shown (and announced, if sound is on)

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

/* In `language`, else in the page's, else in the site's languages in order. */
function inLanguage(names, language) {
  return nameIn(names, language, [config.language, ...config.site.languages]);
}

function roomName(room, language) {
  return room ? inLanguage(room.names, language) : "";
}

// "Room 3, Level 1, take the elevator": made by the server in each of the site's
// languages (none when the site has no map).
function hintFor(call, language) {
  return (call.hints && call.hints[language]) || "";
}

function serviceName(prefix) {
  const service = config.services.find((s) => s.prefix === prefix);
  return service ? inLanguage(service.names, config.language) : prefix;
}

const plural = new Intl.PluralRules(config.language);

function waitingText(count) {
  const form = plural.select(count) === "one" ? strings.waiting_one : strings.waiting_other;
  return fill(form, { count });
}

function typicalWaitText(minutes) {
  return minutes > 0 ? fill(strings.about_minutes, { minutes }) : strings.no_wait;
}

// --- Drawing -------------------------------------------------------------------

function render(state) {
  const calls = state.calls.filter((c) => serviceShown(c.service));
  renderNow(calls[0]);
  renderRecent(calls.slice(1, 1 + MAX_RECENT));
  renderWaits(state.services.filter((s) => serviceShown(s.prefix)));
  renderNotices(state.notices.filter(noticeShown));
}

function renderNow(call) {
  const previous = el.nowCall.dataset.callId;
  if (!call) {
    el.nowNumber.textContent = "–";
    el.nowRoom.textContent = strings.nobody_called;
    el.nowHint.textContent = "";
    el.nowRoomOther.textContent = "";
    delete el.nowCall.dataset.callId;
    return;
  }
  el.nowNumber.textContent = call.number;
  el.nowRoom.textContent = roomName(call.room, config.language);
  el.nowHint.textContent = hintFor(call, config.language);
  // The room (its hint, where there is one) in the site's other languages too, for
  // patients who read those better.
  const others = config.site.languages
    .filter((lang) => lang !== config.language)
    .map((lang) => hintFor(call, lang) || roomName(call.room, lang))
    .filter((name) => name && name !== el.nowRoom.textContent && name !== el.nowHint.textContent);
  el.nowRoomOther.textContent = others.join(" · ");
  el.nowCall.dataset.callId = String(call.id);
  if (previous !== undefined && previous !== String(call.id)) flash(el.nowCall);
}

function flash(node) {
  node.classList.remove("fresh");
  void node.offsetWidth; // restart the animation
  node.classList.add("fresh");
}

function renderRecent(calls) {
  el.recent.replaceChildren(
    ...calls.map((call) => {
      const item = make("li", "recent-call");
      item.dataset.callId = String(call.id);
      item.append(make("span", "recent-number", call.number));
      item.append(make("span", "recent-room", roomName(call.room, config.language)));
      const hint = hintFor(call, config.language);
      if (hint) item.append(make("span", "recent-hint", hint));
      if (call.recall) item.append(make("span", "recent-recall", strings.recall));
      return item;
    })
  );
}

function renderWaits(services) {
  el.waits.replaceChildren(
    ...services.map((service) => {
      const row = make("tr");
      row.dataset.service = service.prefix;
      const name = make("th", "wait-service", inLanguage(service.names, config.language));
      name.scope = "row";
      row.append(name);
      row.append(make("td", "wait-count", waitingText(service.waiting)));
      row.append(make("td", "wait-time", typicalWaitText(service.typical_wait)));
      return row;
    })
  );
}

function noticeTitle(notice) {
  if (notice.scope === "service") {
    return fill(strings.notice_service, { target: serviceName(notice.service) });
  }
  if (notice.scope === "room") {
    const room = config.rooms[notice.room];
    return fill(strings.notice_room, { target: room ? roomName(room, config.language) : notice.room });
  }
  return strings.notice_site;
}

// The reason in the page's language, then in the site's others (as the call's room is
// shown); staff's note as typed, marked as the clinic's words.
function noticeText(notice) {
  const { reason, note } = noticeWords(notice, config.language, strings.notice_note, config.site.languages);
  const lines = reason ? [make("p", "notice-reason", reason)] : [];
  for (const lang of config.site.languages) {
    const said = notice.reasons && notice.reasons[lang];
    if (lang === config.language || !said || said === reason) continue;
    const other = make("p", "notice-reason-other", said);
    other.lang = lang;
    lines.push(other);
  }
  if (note) lines.push(make("p", "notice-note", note));
  return lines;
}

function renderNotices(notices) {
  el.noticesSection.hidden = notices.length === 0;
  el.notices.replaceChildren(
    ...notices.map((notice) => {
      const item = make("li", "notice");
      item.append(make("p", "notice-title", noticeTitle(notice)));
      item.append(...noticeText(notice));
      item.append(make("p", "notice-extra", fill(strings.notice_extra, { minutes: notice.expected_minutes })));
      return item;
    })
  );
}

function renderClock() {
  el.clock.textContent = new Date().toLocaleTimeString(config.language, {
    hour: "2-digit",
    minute: "2-digit",
  });
}

// --- Updates -------------------------------------------------------------------

function applySnapshot(snapshot, previousSeq) {
  // A lower seq means the server's database was reset: start afresh, say nothing old.
  if (previousSeq !== null && snapshot.seq < previousSeq) lastCallId = null;
  apply(snapshot);
}

function apply(update) {
  render(update.state);
  announceNewCalls(update.state.calls);
}

// Calls are announced by their ids rather than by each update's `announce`, so that a
// call that arrived inside a resync snapshot (after a gap or a reconnect) is still
// announced, and a recall (a new call id) is announced again.
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
  speech: config.speech,
  soundBlocked: strings.sound_blocked,
  roomName,
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
  updates: { display_update: apply },
  onSnapshot: applySnapshot,
  onState: showConnection,
});

renderClock();
setInterval(renderClock, 15000);
