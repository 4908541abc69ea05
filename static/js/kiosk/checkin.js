// Checking in: finding the appointment by its code or by name and date of birth,
// confirming it, or walking in to a service. Each check-in ends on the ticket.

import { byId } from "../lib/dom.js";
import { clockTime } from "../lib/texts.js";
import { config, nameOf, patient } from "./state.js";
import { send } from "./requests.js";
import { show, showEntryError } from "./screens.js";
import { dateOfBirth, selectDobPart } from "./keyboard.js";
import { showTicket } from "./ticket.js";
import { needsBody } from "./needs.js";

export function findByCode() {
  const code = byId("code-entry").value.trim();
  if (!code) return showEntryError("code_empty");
  lookUp({ code });
}

export function nameNext() {
  if (!byId("name-entry").value.trim()) return showEntryError("name_empty");
  show("dob");
  selectDobPart("day");
}

export function findByName() {
  const birth = dateOfBirth();
  if (birth.error) return showEntryError(birth.error);
  lookUp({ last_name: byId("name-entry").value.trim(), date_of_birth: birth.value });
}

/* `identity`: {code} or {last_name, date_of_birth}, sent again to check in. */
async function lookUp(identity) {
  const found = await send(config.urls.lookup, identity, false);
  if (!found) return;
  patient.appointment = identity;
  byId("confirm-name").textContent = found.first_name;
  byId("confirm-time").textContent = clockTime(found.time, patient.language);
  byId("confirm-service").textContent = nameOf(found.service.names);
  show("confirm");
}

/* "That is not me": back to where the appointment was looked up. */
export function notMe() {
  const foundByCode = Boolean(patient.appointment && patient.appointment.code);
  patient.appointment = null;
  show(foundByCode ? "code" : "name");
}

export async function checkInAppointment() {
  const body = {
    ...patient.appointment,
    language: patient.language,
    step_free: patient.stepFree,
    ...needsBody(),
  };
  const checkedIn = await send(config.urls.appointment, body, true);
  if (checkedIn) showTicket(checkedIn);
}

export async function checkInWalkIn(service) {
  const body = { service, language: patient.language, step_free: patient.stepFree, ...needsBody() };
  const checkedIn = await send(config.urls.walk_in, body, true);
  if (checkedIn) showTicket(checkedIn);
}
