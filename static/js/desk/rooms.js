// The room this desk works for: the picker, its paused state, "Call next" and "Pause".
// The choice is remembered on this computer and shown in the address.
import { byId } from "../lib/dom.js";
import { writeStored } from "../lib/store.js";
import { option } from "./controls.js";
import { showFeedback } from "./feedback.js";
import { roomByCode } from "./queue.js";

export const ROOM_KEY = "waitroom.desk.room";

// Redrawn only when the rooms or their paused states change, so an open picker stays.
export function renderRoomPicker(desk) {
  const { queue, labels, t } = desk;
  const picker = byId("room");
  const signature = JSON.stringify(queue.rooms.map((room) => [room.code, room.paused]));
  if (picker.dataset.signature === signature) return;
  picker.dataset.signature = signature;
  picker.replaceChildren(...queue.rooms.map((room) => {
    const label = labels.nameOf(room.names);
    return option(room.code, room.paused ? t("paused_option", { room: label }) : label);
  }));
  if (!roomByCode(queue, desk.roomCode) && queue.rooms.length) desk.roomCode = queue.rooms[0].code;
  picker.value = desk.roomCode || "";
}

export function renderRoomState(desk) {
  const room = desk.room();
  const paused = Boolean(room && room.paused);
  const pause = byId("pause-room");
  pause.textContent = paused ? desk.t("resume") : desk.t("pause");
  pause.setAttribute("aria-pressed", paused ? "true" : "false");
  byId("call-next").disabled = !room || paused;
  const hint = byId("room-paused-hint");
  hint.hidden = !paused;
  hint.textContent = paused ? desk.t("room_paused") : "";
}

// previous: what became of the room's patient who was called and has not come, once
// the desk has said it (dialogs.js askAboutOccupant); the API refuses the call without it.
async function callNext(desk, previous = null) {
  const room = desk.room();
  if (!room) return;
  const button = byId("call-next");
  button.disabled = true; // a double press must not call two patients
  const path = `/rooms/${encodeURIComponent(room.code)}/call-next`;
  const body = previous ? { previous } : {};
  const describe = (answer) => {
    return desk.t("called", { number: answer.ticket.number, room: desk.labels.nameOf(room.names) });
  };
  const askFirst = (occupant) => {
    desk.dialogs.askAboutOccupant(occupant, (choice) => callNext(desk, choice), button);
  };
  await desk.actions.act(path, body, describe, askFirst);
  button.disabled = false;
  desk.renderSoon();
}

function togglePause(desk) {
  const room = desk.room();
  if (!room) return;
  const path = `/rooms/${encodeURIComponent(room.code)}/${room.paused ? "resume" : "pause"}`;
  const roomName = desk.labels.nameOf(room.names);
  desk.actions.act(path, {}, () => desk.t(room.paused ? "resumed" : "paused", { room: roomName }));
}

function chooseRoom(desk) {
  desk.roomCode = byId("room").value;
  writeStored(ROOM_KEY, desk.roomCode);
  const url = new URL(window.location.href);
  url.searchParams.set("room", desk.roomCode);
  window.history.replaceState(null, "", url);
  showFeedback("");
  desk.render();
}

export function listenToRoomControls(desk) {
  byId("room").addEventListener("change", () => chooseRoom(desk));
  byId("pause-room").addEventListener("click", () => togglePause(desk));
  byId("call-next").addEventListener("click", () => callNext(desk));
}
