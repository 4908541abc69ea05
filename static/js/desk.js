// The front-desk console. Every action is a call to the JSON API (the same checks and
// audit log as any client); the page shows the queue as the staff socket reports it,
// so every desk of the site sees every change at once.
import { byId, pageConfig } from "./lib/dom.js";
import { getJson, postJson } from "./lib/http.js";
import { connectLive } from "./lib/live.js";
import { readStored } from "./lib/store.js";
import { makeTexts } from "./lib/texts.js";
import { makeAccuracy } from "./desk/accuracy.js";
import { makeActions } from "./desk/actions.js";
import { listenToAddForm, renderServiceChoices } from "./desk/add-patient.js";
import { focusedKey, restoreFocus } from "./desk/controls.js";
import { renderCurrent } from "./desk/current.js";
import { renderDevices } from "./desk/devices.js";
import { makeDialogs } from "./desk/dialogs.js";
import { goToLogin, startIdleLogout } from "./desk/idle.js";
import { makeLabels } from "./desk/labels.js";
import { listenToNoticeForm, renderNotices, showNoticeTargets } from "./desk/notices.js";
import { applyChange, applySnapshot, emptyQueue, roomByCode } from "./desk/queue.js";
import { ROOM_KEY, listenToRoomControls, renderRoomPicker, renderRoomState } from "./desk/rooms.js";
import { listenForShortcuts } from "./desk/shortcuts.js";
import { renderMissed, renderWaiting } from "./desk/waiting.js";
import { renderInterpreters } from "./desk/needs.js";
import { listenToRemoteControls } from "./desk/remote.js";
import { applyTextsNews, makeTextsDialog, replyNews, textNews } from "./desk/texts.js";
import { applyPushNews, pushNews } from "./desk/push.js";

const RETRY_MS = 5000;
const CLOCK_TICK_MS = 30000; // "waiting for 12 min" moves on by itself

const config = pageConfig("desk-config");
const queue = emptyQueue();
const t = makeTexts(config.strings);
const labels = makeLabels(queue, document.documentElement.lang || "en");
const leaveForLogin = () => goToLogin(config.login_url);

// What every part of the console shares: the queue, its words, the room chosen, and
// the actions. The parts read it; only the room picker changes roomCode.
const desk = {
  queue,
  api: config.api,
  t,
  labels,
  roomCode: config.room || readStored(ROOM_KEY),
  room: () => roomByCode(queue, desk.roomCode),
  render,
  renderSoon,
};
const restartIdleLogout = startIdleLogout({
  idleMinutes: config.idle_minutes,
  loginUrl: config.login_url,
  logOut: () => postJson("/api/logout", {}),
});
desk.actions = makeActions({
  api: config.api,
  t,
  labels,
  onLoginEnded: leaveForLogin,
  onUsed: restartIdleLogout,
});
desk.dialogs = makeDialogs({ t, queue, labels, ticketAction: desk.actions.ticketAction });
// Offered only where the server sends texts (SMS_URL).
desk.texts = config.texts_offered ? makeTextsDialog({ t, queue, act: desk.actions.act }) : null;
const accuracy = makeAccuracy({ api: config.api, t });

// --- Drawing -----------------------------------------------------------------------

let renderPending = false;

// Updates often come in bursts (a call changes several tickets): draw once per burst.
function renderSoon() {
  if (renderPending) return;
  renderPending = true;
  Promise.resolve().then(() => {
    renderPending = false;
    render();
  });
}

function render() {
  const focusKey = focusedKey();
  renderRoomPicker(desk);
  renderRoomState(desk);
  renderCurrent(desk);
  renderWaiting(desk);
  renderMissed(desk);
  renderNotices(desk);
  renderInterpreters(desk);
  renderDevices(desk);
  if (renderServiceChoices(desk)) showNoticeTargets(desk);
  restoreFocus(focusKey);
}

// --- Keeping up with the queue -----------------------------------------------------

function receiveUpdate(update) {
  if (update.kind === "presence") {
    queue.devices = update.devices;
  } else if (update.kind === "texts") {
    receiveTextNews(update);
  } else if (update.kind === "push") {
    receivePushNews(update);
  } else if (update.kind === "arrival_code") {
    return void showArrivalCode(update.code);
  } else if (update.kind === "reply") {
    const words = replyNews(t, update);
    if (words) byId("text-news").textContent = words;
    return;
  } else {
    applyChange(queue, update);
    if (update.kind === "called") accuracy.refreshSoon();
  }
  renderSoon();
}

// A text went out, or did not: the ticket's tag changes, and a failure is said aloud
// (role="alert") until the next one, so staff can tell the patient in person.
function receiveTextNews(update) {
  applyTextsNews(queue, update);
  const words = textNews(t, update);
  if (words) byId("text-news").textContent = words;
  if (desk.texts) desk.texts.refresh(update);
}

// A phone alert went out, or did not, or the phone takes none any more: the ticket's
// tag changes, and what staff must say in person is said aloud, as for a text.
function receivePushNews(update) {
  applyPushNews(queue, update);
  const words = pushNews(t, update);
  if (words) byId("text-news").textContent = words;
}

function receiveSnapshot(snapshot) {
  applySnapshot(queue, snapshot);
  if (snapshot.arrival_code) showArrivalCode(snapshot.arrival_code);
  renderSoon();
}

/* The day's arrival code, renewed at the site's turn of the day (services/arrival.py). */
function showArrivalCode(code) {
  const shown = document.getElementById("arrival-code");
  if (shown && code) shown.textContent = code;
}

// A refused socket usually means the login ended; ask the API to be sure.
async function checkLoginThenRetry() {
  try {
    await getJson("/api/me");
  } catch (error) {
    if (error.status === 401) return leaveForLogin();
    if (error.status === 0) return void setTimeout(checkLoginThenRetry, RETRY_MS);
  }
  setTimeout(() => live.socket.connect(), RETRY_MS);
}

function showConnection(state) {
  byId("connection-text").hidden = state === "live";
  if (state === "live") accuracy.refresh();
  if (state === "refused") checkLoginThenRetry(); // e.g. logged out elsewhere
}

const live = connectLive({
  auth: { staff: config.site },
  updates: { staff_update: receiveUpdate },
  // Kiosks and displays coming and going; how a text or a phone alert to a patient
  // went; what a patient texted us; the day's new arrival code.
  unsequencedKinds: ["presence", "texts", "push", "reply", "arrival_code"],
  onSnapshot: receiveSnapshot,
  onState: showConnection,
  onSyncError: (error) => {
    if (error.code === "login_required") leaveForLogin();
  },
});

// --- Wiring ------------------------------------------------------------------------

listenToRoomControls(desk);
listenToAddForm(desk);
listenToNoticeForm(desk);
listenToRemoteControls(desk);
listenForShortcuts();
byId("needs-filter").addEventListener("change", renderSoon);
setInterval(renderSoon, CLOCK_TICK_MS);
