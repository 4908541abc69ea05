// The on-screen keys, and the three boxes of a date of birth they type into.

import { byId } from "../lib/dom.js";
import { patient } from "./state.js";
import { showEntryError } from "./screens.js";
import { birthDate } from "./birth-date.js";

const DOB_PARTS = ["day", "month", "year"];

/* Types the key into its keyboard's box; answers that box's id (its data-target). */
export function typeKey(button) {
  const target = button.closest(".keyboard").dataset.target;
  const inDateOfBirth = target === "dob";
  const input = inDateOfBirth ? byId("dob-" + patient.dobPart) : byId(target);
  const key = button.dataset.key;
  showEntryError(null);
  if (key === "delete") {
    deleteKey(input, inDateOfBirth);
  } else if (input.value.length < input.maxLength) {
    input.value += key;
    if (inDateOfBirth && input.value.length === input.maxLength) moveDobPart(1);
  }
  return target;
}

function deleteKey(input, inDateOfBirth) {
  // In an empty date box, Delete goes back into the box before, as on a form.
  if (inDateOfBirth && input.value === "" && patient.dobPart !== "day") {
    moveDobPart(-1);
    input = byId("dob-" + patient.dobPart);
  }
  input.value = input.value.slice(0, -1);
}

export function selectDobPart(part) {
  patient.dobPart = part;
  DOB_PARTS.forEach((name) => {
    byId("dob-" + name).classList.toggle("active", name === part);
  });
}

function moveDobPart(step) {
  const index = DOB_PARTS.indexOf(patient.dobPart) + step;
  selectDobPart(DOB_PARTS[Math.max(0, Math.min(DOB_PARTS.length - 1, index))]);
}

/* The date in the three boxes: {value: "YYYY-MM-DD"} or {error: a text's key}. */
export function dateOfBirth() {
  const [day, month, year] = DOB_PARTS.map((part) => byId("dob-" + part).value);
  return birthDate(day, month, year);
}
