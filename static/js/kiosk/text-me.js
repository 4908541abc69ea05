// "Text me when it's my turn" on the ticket screen: the number typed on the on-screen
// digit keys (the keys type into the box like every kiosk keyboard: keyboard.js), the
// consent ticked, then the shared form's request (lib/text-me.js). Shown only where the
// server sends texts; each patient starts with an empty form.

import { byId } from "../lib/dom.js";
import { setUpTextMe } from "../lib/text-me.js";
import { config, t } from "./state.js";

const form = byId("text-me");
let url = "";
if (form) setUpTextMe(form, { url: () => url, t });

/* Offer texts for the ticket just issued (its token, ready for an address). */
export function offerTexts(token) {
  if (!form) return;
  url = config.urls.texts.replace(config.token_placeholder, token);
  form.querySelector("[data-role=fields]").hidden = false;
  form.elements.number.value = "";
  form.elements.number.removeAttribute("aria-invalid");
  form.elements.consent.checked = false;
  form.querySelector("[data-role=problem]").textContent = "";
  form.querySelector("[data-role=done]").textContent = "";
}
