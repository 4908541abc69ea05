// "Add a patient": a walk-in the desk puts in a service's line.
import { byId } from "../lib/dom.js";
import { option } from "./controls.js";

// The service list follows the site's services; answers whether it changed (the delay
// notice's targets then follow too).
export function renderServiceChoices(desk) {
  const select = byId("add-service");
  const { services } = desk.queue;
  const signature = JSON.stringify(services.map((s) => s.prefix));
  if (select.dataset.signature === signature) return false;
  select.dataset.signature = signature;
  const chosen = select.value;
  select.replaceChildren(...services.map((s) => option(s.prefix, desk.labels.nameOf(s.names))));
  if (chosen) select.value = chosen;
  return true;
}

function patientFrom(form) {
  const fields = new FormData(form);
  const patient = { service: fields.get("service") };
  const name = String(fields.get("patient_name") || "").trim();
  if (name) patient.patient_name = name;
  if (fields.get("language")) patient.language = fields.get("language");
  // The same needs the kiosk asks about: the desk sees them, and the call honours them.
  for (const need of ["step_free", "interpreter", "may_not_hear", "may_not_see"]) {
    if (fields.get(need)) patient[need] = true;
  }
  return patient;
}

async function addPatient(desk, event) {
  event.preventDefault();
  const form = byId("add-form");
  const answer = await desk.actions.act("/tickets", patientFrom(form), (added) => {
    return desk.t("added", { number: added.ticket.number });
  });
  if (answer) form.reset();
}

export function listenToAddForm(desk) {
  byId("add-form").addEventListener("submit", (event) => addPatient(desk, event));
}
