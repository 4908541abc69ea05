/* The patient's phone page: their ticket, kept up to date over Socket.IO.
 *
 * Each ticket_update carries the whole ticket as the phone may see it (never a name),
 * so the page simply shows the newest. A ticket_place carries only the place, the
 * estimate and the delay notice of a waiting ticket (sent when the line moved around
 * it), and is laid over the last whole ticket. The ticket's room hears only changes to
 * this ticket, so gaps in `seq` are normal here and mean nothing was missed; after a
 * sleep or a lost signal the page asks for a fresh snapshot instead (lib/live.js).
 */
import { connectLive } from "./lib/live.js";
import { ApiError, getJson, postJson } from "./lib/http.js";
import { makeTexts, nameIn, noticeWords } from "./lib/texts.js";
import { byId, make, pageConfig } from "./lib/dom.js";
import { readStored, writeStored } from "./lib/store.js";
import { READING_MODES, setReadingMode } from "./lib/modes.js";
import { placeInLine, waitEstimate } from "./lib/ticket.js";
import { fillRoute } from "./lib/route.js";
import { alertCall, endCallAlert, listenToCallScreen, readySpeech } from "./phone/call-alert.js";
import { setUpTextMe } from "./lib/text-me.js";
import { setUpPush } from "./phone/push.js";
import { forgetTicket, rememberTicket } from "./lib/remote-tickets.js";
import { askForLocation } from "./phone/arrive-location.js";

const config = pageConfig("phone-config");
const t = makeTexts(config.texts);
const dialog = byId("leave-dialog");
const LEAVABLE = ["waiting", "called", "no_show"];
const ENDED = ["done", "cancelled"];
const GONE = [404, 410]; // a token we never issued, or a visit that ended
const pageTitle = document.title;

let current = null; // the last whole ticket, with any later places laid over it
let leaving = false; // this phone asked to leave: "you have left", not "cancelled"
let wayTo = null; // the room whose way is on screen (or on its way)
const textMeForm = byId("text-me"); // present only where the server sends texts
const textMe = textMeForm && setUpTextMe(textMeForm, { url: config.urls.texts, t });
// "Notify me on this phone" (only where the server sends Web Push).
const renderPush = setUpPush({ urls: config.urls, key: config.push_key, t });

const nameOf = (names) => nameIn(names, config.language);

// --- Showing the ticket ------------------------------------------------------------

function apply(update) {
  current = update.ticket;
  render(current);
}

/* A place laid over the last whole ticket; false (not used) unless it is waiting. */
function applyPlace(update) {
  if (!current || current.status !== "waiting") return false;
  // A remote ticket's time to leave follows its estimate: the server works it out.
  if (current.remote && !current.remote.here) return void stillActive();
  current = { ...current, position: update.position, estimate: update.estimate, delay: update.delay };
  render(current);
}

function render(ticket) {
  const waiting = ticket.status === "waiting";
  byId("service").textContent = nameOf(ticket.service.names);
  renderCall(ticket);
  renderWay(ticket);
  byId("place").textContent = waiting ? placeInLine(t, ticket.position) : "";
  byId("estimate").textContent = waiting ? waitEstimate(t, ticket) : "";
  byId("state").textContent = stateText(ticket.status);
  renderDelays(waiting ? ticket : null);
  renderRemote(waiting ? ticket.remote : null);
  byId("leave").hidden = !LEAVABLE.includes(ticket.status);
  renderTextMe(ticket);
  renderPush(ticket);
  document.body.dataset.status = ticket.status;
  const statements = document.getElementById("statements");
  if (statements) statements.hidden = !waiting;
  // A finished visit's page becomes its survey (server/feedback/views.py).
  if (ticket.status === "done" && config.urls.survey) return void location.replace(config.urls.survey);
  if (ENDED.includes(ticket.status)) finish();
}

function renderCall(ticket) {
  const alert = byId("called");
  if (ticket.status !== "called") {
    alert.replaceChildren();
    delete alert.dataset.calledAt;
    document.title = pageTitle;
    endCallAlert();
    return;
  }
  // Announce and vibrate once per call (a recall is a new call), not on every update.
  if (alert.dataset.calledAt === ticket.called_at) return;
  alert.dataset.calledAt = ticket.called_at;
  const room = ticket.room ? nameOf(ticket.room.names) : "";
  const headline = make("p", "called-text", t("called", { room }));
  alert.replaceChildren(headline, make("p", "called-hint", t("called_hint")));
  document.title = headline.textContent;
  if (navigator.vibrate) navigator.vibrate([400, 200, 400]);
  alertCall({ style: config.call, t, language: config.language, ticket, room });
}

// --- The way to the room ---------------------------------------------------------
//
// Asked for once per call (GET /api/tickets/<token>/route), not carried by every
// ticket_update: the steps and drawings are several kilobytes and change only when
// the room does. The server picks the start (where the ticket's service waits), the
// room, the language and whether the way must be step-free.

function renderWay(ticket) {
  const room = ticket.status === "called" && ticket.room ? ticket.room.code : null;
  if (room === wayTo) return;
  wayTo = room;
  clearWay();
  if (room) loadWay(room);
}

function clearWay() {
  byId("way").hidden = true;
  ["way-title", "way-facts", "way-problem", "way-steps", "way-maps"].forEach((id) => {
    byId(id).replaceChildren();
  });
}

async function loadWay(room) {
  try {
    const route = await getJson(config.urls.route);
    if (wayTo === room) showWay(route);
    return;
  } catch (error) {
    if (wayTo !== room) return; // called to another room meanwhile, or no longer called
    if (error instanceof ApiError && error.code === "no_step_free_route") {
      byId("way-problem").textContent = t("no_step_free_route");
      byId("way-body").hidden = true;
      byId("way").hidden = false;
      return;
    }
  }
  // Tried again with the next update or snapshot (after a lost signal, for one).
  wayTo = null;
}

function showWay(route) {
  fillRoute("way", route, t, { titleKey: "way_title", floorKey: "way_floor" });
  byId("way-link").href = route.url;
  byId("way-body").hidden = false;
  byId("way").hidden = false;
}

// --- A ticket that joined from home: when to leave, and "I'm here" ------------------------

let leaveTimer = null;

function renderRemote(remote) {
  const section = document.getElementById("remote");
  if (!section) return;
  clearTimeout(leaveTimer);
  section.hidden = !remote;
  rememberForPoster(remote);
  if (!remote) return;
  byId("arrive").hidden = remote.here;
  byId("here").hidden = !remote.here;
  showAdvice(remote.advice, remote.leave_by_local);
  if (remote.advice !== "leave_by") return;
  // Counted from the server's own time, so a phone's wrong clock does not matter.
  const wait = Date.parse(remote.leave_by) - Date.parse(remote.at);
  leaveTimer = setTimeout(() => showAdvice("come_now"), Math.max(wait, 0));
}

/* Remembered on this phone until it has arrived: the arrival poster's page then says
 * "I'm here" for it with one tap (static/js/arrive.js). */
function rememberForPoster(remote) {
  const site = current && current.site && current.site.slug;
  if (!site) return;
  if (remote && !remote.here) rememberTicket(site, config.token, current.number);
  else forgetTicket(site, config.token);
}

function showAdvice(advice, time) {
  const words = {
    leave_by: () => t("leave_by", { time }),
    come_now: () => t("come_now"),
    you_are_next: () => t("you_are_next"),
  };
  byId("leave-advice").textContent = words[advice] ? words[advice]() : "";
}

function stateText(status) {
  if (status === "cancelled") return leaving ? t("left") : t("cancelled");
  const texts = { in_service: "in_service", no_show: "no_show", done: "done" };
  return texts[status] ? t(texts[status]) : "";
}

function renderDelays(ticket) {
  const lines = [];
  if (ticket && ticket.delay && ticket.delay.message) lines.push(ticket.delay.message);
  for (const notice of (ticket && ticket.notices) || []) {
    // The reason in the ticket's language (the page's); the note as typed, marked.
    const { reason, note } = noticeWords(notice, config.language, t("notice_note"));
    const said = [reason, note].filter(Boolean).join(". ");
    lines.push(t("notice", { minutes: notice.expected_minutes, reason: said }));
  }
  byId("delay-list").replaceChildren(...lines.map((line) => make("li", null, line)));
  byId("delays").hidden = lines.length === 0;
}

/* The visit is over, or the server no longer knows the ticket: stop listening. */
function finish() {
  byId("leave").hidden = true;
  byId("connection").textContent = "";
  live.close();
}

function showNoLongerActive() {
  byId("called").replaceChildren();
  wayTo = null;
  clearWay();
  byId("place").textContent = "";
  byId("estimate").textContent = "";
  renderDelays(null);
  byId("state").textContent = t("ended");
  document.body.dataset.status = "ended";
  finish();
}

// --- Live updates ----------------------------------------------------------------------

/* Asked over HTTP when the socket is refused: is the ticket over, or is it the network? */
async function stillActive() {
  try {
    live.receiveSnapshot(await getJson(config.urls.status));
  } catch (error) {
    if (GONE.includes(error.status)) showNoLongerActive();
    // Otherwise still no signal: the socket keeps trying, and catches up when it connects.
  }
}

function showConnection(state) {
  byId("connection").textContent = state === "live" ? t("live") : t("reconnecting");
  if (state === "refused") stillActive(); // refused by the server, not a network failure
}

// On (re)connecting the server sends a fresh ticket_update by itself.
const live = connectLive({
  auth: { ticket: config.token },
  gapMeansMissed: false,
  updates: { ticket_update: apply, ticket_place: applyPlace },
  onSnapshot: apply,
  onState: showConnection,
  onSyncError: stillActive,
});

// --- "Text me when it's my turn" (only where the server sends texts) -----------------

function renderTextMe(ticket) {
  if (!textMeForm) return;
  textMeForm.hidden = !LEAVABLE.includes(ticket.status);
  if (ticket.texts) textMe.showOn(null);
}

// --- Leaving the queue ---------------------------------------------------------------

async function leave() {
  leaving = true;
  byId("problem").textContent = "";
  try {
    return live.receiveSnapshot(await postJson(config.urls.cancel, {}));
  } catch (error) {
    if (GONE.includes(error.status)) return showNoLongerActive();
    // Said below, like a refusal: nothing changed, and the patient may try again.
  }
  leaving = false;
  byId("problem").textContent = t("leave_failed");
}

byId("leave").addEventListener("click", () => dialog.showModal());
dialog.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]");
  if (!action) return;
  dialog.close();
  if (action.dataset.action === "leave") leave();
});

// --- Reading modes, remembered on this phone -----------------------------------------

function switchMode(mode, on) {
  setReadingMode(mode, on);
  writeStored("waitroom." + mode, on ? "on" : "off");
}

READING_MODES.forEach((mode) => {
  const button = document.querySelector('[data-mode="' + mode + '"]');
  if (!button) return;
  setReadingMode(mode, readStored("waitroom." + mode) === "on");
  button.addEventListener("click", () => {
    switchMode(mode, button.getAttribute("aria-pressed") !== "true");
  });
});

// "I'm here" by the phone's location (only where the site file says where it is).
if (config.urls.arrive_location) {
  askForLocation({ url: config.urls.arrive_location, t, arrived: (answer) => live.receiveSnapshot(answer) });
}

live.receiveSnapshot(config.snapshot);
listenToCallScreen();
readySpeech({ style: config.call, t, language: config.language });
