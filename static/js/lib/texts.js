// Texts and names in the page's language. Pure: no DOM, so tests can run them in Node.

/* "{name}" placeholders filled from `values`; a placeholder with no value stays as it is. */
export function fill(template, values = {}) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (placeholder, key) =>
    Object.hasOwn(values, key) ? String(values[key]) : placeholder
  );
}

/* t(key, values): the text `key` of one language, filled in; "" for a text we lack. */
export function makeTexts(texts) {
  return (key, values) => fill(texts[key] ?? "", values);
}

/* A name ({language: name}) in `language`, else in the first of `fallbacks` (the site's
 * languages, in order) that has it, else the first name given: the server's Words.name. */
export function nameIn(names, language, fallbacks = []) {
  if (!names) return "";
  for (const choice of [language, ...fallbacks]) {
    if (names[choice]) return names[choice];
  }
  return Object.values(names)[0] || "";
}

/* What a delay notice says, in `language`: `reason`, picked from the site's list (its
 * words in that language, else a fallback's), and `note`, staff's words as typed but
 * marked as the clinic's by `noteTemplate` ('Note from the clinic: "{note}"'); "" for
 * what it lacks. A notice from before the list carries only its one-line `reason`. */
export function noticeWords(notice, language, noteTemplate, fallbacks = []) {
  const reasons = notice.reasons || {};
  if (Object.keys(reasons).length === 0 && !notice.note) {
    return { reason: notice.reason || "", note: "" };
  }
  return {
    reason: nameIn(reasons, language, fallbacks),
    note: notice.note ? fill(noteTemplate, { note: notice.note }) : "",
  };
}

/* A clock time the server sends as "HH:MM" (at the clinic), as `language` writes it:
 * "2:05 PM" in English, "14:05" in French, "2:05 م" in Arabic. Anything else is shown as it came. Pure. */
export function clockTime(hhmm, language) {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return hhmm;
  const moment = Date.UTC(2000, 0, 1, Number(match[1]), Number(match[2]));
  const format = new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit", timeZone: "UTC" });
  return format.format(moment);
}
