// Every desk action is a call to the JSON API (the same checks and audit log as any
// client); the feedback line then says what happened. The lists change when the staff
// socket reports the change, so every desk of the site sees it at once.
import { ApiError, postJson } from "../lib/http.js";
import { showError, showFeedback } from "./feedback.js";

// The ticket actions whose sentence needs only the ticket's number.
const DONE_KEYS = {
  recall: "recalled",
  start: "started",
  complete: "completed",
  "no-show": "no_showed",
  return: "returned",
  cancel: "cancelled",
  arrive: "arrived",
};

export function sentenceAfter(t, labels, { action, ticket, body, answer }) {
  const number = ticket.number;
  if (action === "call") {
    return t("called", { number: answer.ticket.number, room: labels.roomName(body.room) });
  }
  if (action === "transfer") {
    return t("transferred", { number, service: labels.serviceName(body.service) });
  }
  if (action === "priority") return t("prioritised", { number, level: t(`priority_${body.level}`) });
  return t(DONE_KEYS[action], { number });
}

// The room's patient the API named when it refused a call (409 room_occupied): they
// were called and have not been seen. Null for any other refusal.
export function roomOccupant(error) {
  if (!error || error.code !== "room_occupied" || !Array.isArray(error.details)) return null;
  const [holder] = error.details;
  return holder && typeof holder.number === "string" ? holder : null;
}

function errorText(t, error) {
  if (error.status === 0) return t("network_error");
  return error.message || t("failed");
}

// onLoginEnded: a 401 means the login ended (idle, or logged out elsewhere).
// onUsed: a successful action is the staff using the console (see idle.js).
export function makeActions({ api, t, labels, onLoginEnded, onUsed }) {
  // One action: POST to the site's API, then say what happened. Answers the API's
  // answer, or null when it failed (the feedback line already says why, unless
  // onOccupied took a refused call's question: who holds the room). onRefused(text):
  // say a refusal there instead (a dialog that stays open).
  async function act(path, body, describe, onOccupied = null, onRefused = null) {
    let answer;
    try {
      answer = await postJson(api + path, body);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const occupant = roomOccupant(error);
      if (error.status === 401) onLoginEnded();
      else if (occupant && onOccupied) onOccupied(occupant);
      else (onRefused || showError)(errorText(t, error));
      return null;
    }
    onUsed();
    showFeedback(describe ? describe(answer) : "");
    return answer;
  }

  function ticketAction(ticket, action, body = {}, onOccupied = null) {
    const describe = (answer) => sentenceAfter(t, labels, { action, ticket, body, answer });
    return act(`/tickets/${ticket.id}/${action}`, body, describe, onOccupied);
  }

  return { act, ticketAction };
}
