// Delay notices: the ones posted now, with a button to clear each, and the form that
// posts one for the whole site, a service or a room.
import { byId, make } from "../lib/dom.js";
import { noticeWords } from "../lib/texts.js";
import { button, option } from "./controls.js";

function noticeTarget({ t, labels }, notice) {
  if (notice.scope === "service") return labels.serviceName(notice.service);
  if (notice.scope === "room") return labels.roomName(notice.room);
  return t("notice_site");
}

export function renderNotices(desk) {
  const { notices } = desk.queue;
  byId("no-notices").hidden = notices.length > 0;
  byId("notice-list").replaceChildren(...notices.map((notice) => noticeItem(desk, notice)));
}

function noticeItem(desk, notice) {
  const { t, labels } = desk;
  const { reason, note } = noticeWords(notice, document.documentElement.lang || "en", t("notice_note"));
  const text = t("notice_line", {
    target: noticeTarget(desk, notice),
    reason: [reason, note].filter(Boolean).join(". "),
    minutes: notice.expected_minutes,
  });
  const clear = button(t("clear"), null, `notice-${notice.id}-clear`, () => {
    desk.actions.act(`/notices/${notice.id}/clear`, {}, () => t("notice_cleared"));
  });
  clear.append(make("span", "visually-hidden", " " + text));
  const item = make("li", "notice");
  item.append(
    make("span", "notice-text", text),
    make("span", "notice-posted", t("posted_at", { time: labels.clockTime(notice.posted_at) })),
    clear
  );
  return item;
}

// The target list follows the scope chosen, and the site's services and rooms.
export function showNoticeTargets(desk) {
  const scope = byId("notice-scope").value;
  const target = byId("notice-target");
  const { services, rooms } = desk.queue;
  const { nameOf } = desk.labels;
  byId("notice-target-field").hidden = scope === "site";
  const choices = scope === "service"
    ? services.map((s) => option(s.prefix, nameOf(s.names)))
    : rooms.map((r) => option(r.code, nameOf(r.names)));
  target.replaceChildren(...(scope === "site" ? [] : choices));
  target.required = scope !== "site";
}

async function postNotice(desk, event) {
  event.preventDefault();
  const form = byId("notice-form");
  const fields = new FormData(form);
  const scope = fields.get("scope");
  const body = { scope, expected_minutes: parseInt(fields.get("expected_minutes"), 10) };
  if (fields.get("reason_code")) body.reason_code = fields.get("reason_code");
  const note = String(fields.get("note") || "").trim();
  if (note) body.note = note;
  if (scope !== "site") body.target = fields.get("target");
  // Posting again for the same place updates the notice there: the answer says which.
  const answer = await desk.actions.act("/notices", body, (done) =>
    desk.t(done.updated ? "notice_updated" : "notice_posted")
  );
  if (answer) {
    form.reset();
    showNoticeTargets(desk);
  }
}

export function listenToNoticeForm(desk) {
  byId("notice-form").addEventListener("submit", (event) => postNotice(desk, event));
  byId("notice-scope").addEventListener("change", () => showNoticeTargets(desk));
}
