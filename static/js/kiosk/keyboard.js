// The on-screen keys, and the three boxes of a date of birth they type into.

import { byId } from "../lib/dom.js";
import { patient } from "./state.js";
import { showEntryError } from "./screens.js";

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

/* {value: "YYYY-MM-DD"} for a real date not in the future, else {error: a text's key}. */
export function dateOfBirth() {
  const [day, month, year] = DOB_PARTS.map((part) => byId("dob-" + part).value);
  if (!day || !month || year.length !== 4) return { error: "dob_incomplete" };
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // Date.UTC rolls 31 February over into March; a real date comes back as it went in.
  const real =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    date <= new Date();
  if (!real) return { error: "dob_invalid" };
  return { value: year + "-" + month.padStart(2, "0") + "-" + day.padStart(2, "0") };
}
