// The kiosk's requests (lib/http.js), with what a kiosk adds: nothing is sent while
// offline, the page is marked busy meanwhile, and a POST that fails shows its problem.

import { ApiError, getJson, postJson } from "../lib/http.js";
import { offline, reconnectSoon, setConnection } from "./connection.js";
import { patient } from "./state.js";
import { showProblem } from "./screens.js";

// The API's error codes that have a problem screen of their own.
const KNOWN_PROBLEMS = [
  "appointment_not_found",
  "too_early",
  "too_late",
  "already_checked_in",
  "closed",
  // "I joined online" (arrival.js)
  "remote_ticket_not_found",
  "invalid_ticket_number",
  "invalid_phone_number",
  "not_remote",
  "already_arrived",
  "already_called",
  "ticket_ended",
];

let posting = false; // a request is on its way: a second tap must not check in twice

async function markedBusy(request) {
  document.body.setAttribute("aria-busy", "true");
  try {
    return await request;
  } finally {
    document.body.removeAttribute("aria-busy");
  }
}

/* GET: the JSON, or an ApiError thrown (status 0 when offline or no answer came). */
export function ask(url) {
  if (offline()) return Promise.reject(new ApiError(0, "offline", ""));
  return markedBusy(getJson(url));
}

/* POST: the JSON, or null once the problem is on screen (or the patient is gone).
 * Offline, nothing is sent: the patient is told at once instead of the check-in being
 * lost. `checksIn`: the request checks someone in. */
export async function send(url, body, checksIn) {
  if (posting) return null;
  if (offline()) {
    showProblem("offline");
    return null;
  }
  posting = true;
  const asking = patient;
  try {
    const answer = await markedBusy(postJson(url, body));
    return patient === asking ? answer : null;
  } catch (error) {
    // An answer that comes after the kiosk started over is not for whoever is there now.
    if (patient === asking) showFailure(error, checksIn);
    return null;
  } finally {
    posting = false;
  }
}

function showFailure(error, checksIn) {
  if (error.status !== 0) return showProblem(problemFor(error));
  // The request may or may not have reached the server; a check-in that did is on the
  // desk's screen, so the patient is sent there rather than asked to retry.
  setConnection("offline");
  reconnectSoon();
  showProblem(checksIn ? "lost" : "offline");
}

function problemFor(error) {
  if (error.status === 429) return "rate_limited";
  return KNOWN_PROBLEMS.includes(error.code) ? error.code : "unknown";
}
