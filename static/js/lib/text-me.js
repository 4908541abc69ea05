/* "Text me when it's my turn": the form shared by the phone page and the kiosk's
 * ticket screen. The patient types a number (the phone's own keyboard, or the kiosk's
 * digit keys) and ticks the consent box; the server checks the number (phonenumbers)
 * and answers with only its last two digits. A refusal is said next to the form, in
 * the page's words for its code, and nothing changes.
 *
 * The form holds: input[name=number], input[name=consent] (checkbox), a submit button,
 * an element [data-role=problem] (role=alert) and one [data-role=done] (role=status).
 */
import { postJson } from "./http.js";

const PROBLEMS = {
  invalid_phone_number: "texts_invalid",
  consent_required: "texts_consent",
};

/* Wire the form: on submit, post {number, consent} to `url` (or to what `url()` answers,
 * for a form used for one ticket after another); `onDone(answer)` after. */
export function setUpTextMe(form, { url, t, onDone = () => {} }) {
  const problem = form.querySelector("[data-role=problem]");
  const number = form.elements.number;
  const consent = form.elements.consent;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    number.removeAttribute("aria-invalid");
    if (!consent.checked) {
      problem.textContent = t("texts_consent");
      consent.focus();
      return;
    }
    try {
      const to = typeof url === "function" ? url() : url;
      const answer = await postJson(to, { number: number.value, consent: true });
      showOn(form, t, answer.texts);
      onDone(answer);
    } catch (error) {
      problem.textContent = t(PROBLEMS[error.code] || "texts_failed");
      if (error.code === "invalid_phone_number") {
        number.setAttribute("aria-invalid", "true");
        number.focus();
      }
    }
  });
  return { showOn: (texts) => showOn(form, t, texts) };
}

/* Texts are on: the form's fields give way to one line saying so (a later update,
 * which knows no digits, keeps the line that names them). */
function showOn(form, t, texts) {
  form.querySelector("[data-role=fields]").hidden = true;
  const done = form.querySelector("[data-role=done]");
  if (!texts && done.textContent) return;
  done.textContent = texts && texts.last_digits
    ? t("texts_on").replace("{digits}", texts.last_digits)
    : t("texts_on_short");
}
