// What patients asked for at check-in, for the desk: markers on each ticket
// ("Interpreter: Arabic", "Call in person", "May not see the screen"), a filter of the
// waiting list by them, the reminder to fetch a patient who may not hear the call, and
// the interpreters needed today, per language, to book them early.
import { byId, make } from "../lib/dom.js";
import { getJson } from "../lib/http.js";

// The filter's choices: which tickets each keeps.
const FILTERS = {
  all: () => true,
  interpreter: (ticket) => ticket.interpreter,
  in_person: (ticket) => ticket.may_not_hear,
  may_not_see: (ticket) => ticket.may_not_see,
};

export function matchesNeedFilter(ticket, filter) {
  return (FILTERS[filter] || FILTERS.all)(ticket);
}

/* A language's name in the console's language ("ar" -> "Arabic"). */
export function languageName(code, inLanguage) {
  try {
    return new Intl.DisplayNames([inLanguage], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}

/* The markers of a ticket, as {kind, text}. */
export function needMarkers(t, ticket, inLanguage) {
  const markers = [];
  if (ticket.interpreter) {
    const language = languageName(ticket.language, inLanguage);
    markers.push({ kind: "interpreter", text: t("need_interpreter", { language }) });
  }
  if (ticket.may_not_hear) markers.push({ kind: "in-person", text: t("need_in_person") });
  if (ticket.may_not_see) markers.push({ kind: "may-not-see", text: t("need_may_not_see") });
  return markers;
}

/* The open tickets that asked for an interpreter, per language, most first:
   [{language, numbers}]. */
export function interpretersNeeded(tickets) {
  const numbers = new Map();
  tickets
    .filter((ticket) => ticket.interpreter)
    .forEach((ticket) => numbers.set(ticket.language, [...(numbers.get(ticket.language) || []), ticket.number]));
  return [...numbers.entries()]
    .map(([language, list]) => ({ language, numbers: list.sort() }))
    .sort((a, b) => b.numbers.length - a.numbers.length || a.language.localeCompare(b.language));
}

function consoleLanguage() {
  return document.documentElement.lang || "en";
}

/* The markers, appended to a ticket's name cell (controls.js). */
export function appendNeedMarkers(t, ticket, node) {
  needMarkers(t, ticket, consoleLanguage()).forEach((marker) => {
    node.append(" ", make("span", `need-tag need-${marker.kind}`, marker.text));
  });
}

export function needFilter() {
  const select = byId("needs-filter");
  return select ? select.value : "all";
}

/* On the card of a patient called who may not hear it: go and fetch them. */
export function fetchReminder(t, ticket) {
  if (ticket.status !== "called" || !ticket.may_not_hear) return [];
  return [make("p", "fetch-reminder", t("fetch_in_person", { number: ticket.number }))];
}

// Today's totals come from the API (they count finished visits, which the live
// queue no longer holds); asked again only when a new request appears.
const today = { asked: "", totals: new Map() };

async function refreshTotals(desk, asked) {
  today.asked = asked;
  try {
    const answer = await getJson(`${desk.api}/interpreters`);
    today.totals = new Map(answer.languages.map((entry) => [entry.language, entry.today]));
    desk.renderSoon();
  } catch {
    // The live list stands without the day's totals until the next request.
  }
}

export function renderInterpreters(desk) {
  const list = byId("interpreter-list");
  if (!list) return;
  const open = Array.from(desk.queue.tickets.values());
  const needed = interpretersNeeded(open);
  const asked = open.filter((ticket) => ticket.interpreter).map((ticket) => ticket.id).sort().join(",");
  if (asked !== today.asked) refreshTotals(desk, asked);
  list.replaceChildren(
    ...needed.map(({ language, numbers }) => {
      const name = languageName(language, consoleLanguage());
      const total = today.totals.get(language) || numbers.length;
      const text = desk.t("interpreter_line", { language: name, count: numbers.length, today: total });
      const item = make("li", "interpreter-line", text);
      item.dataset.language = language;
      item.append(make("span", "interpreter-numbers", numbers.join(", ")));
      return item;
    })
  );
  byId("no-interpreters").hidden = needed.length > 0;
}
