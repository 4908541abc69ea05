/* The patient's phone page: their ticket, kept up to date over Socket.IO.
 *
 * Each ticket_update carries the whole ticket as the phone may see it (never a name),
 * so the page simply shows the newest. A ticket_place carries only the place, the
 * estimate and the delay notice of a waiting ticket (sent when the line moved around
 * it), and is laid over the last whole ticket. The ticket's room hears only changes to this
 * ticket, so gaps in `seq` are normal here and mean nothing was missed; after a sleep
 * or a lost signal the page asks for a fresh snapshot instead.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("phone-config").textContent);
  const root = document.documentElement;
  const dialog = byId("leave-dialog");
  const LEAVABLE = ["waiting", "called", "no_show"];
  const ENDED = ["done", "cancelled"];
  const REQUEST_TIMEOUT_MS = 15000; // no answer by then: say so, rather than wait forever
  const pageTitle = document.title;

  let lastSeq = -1;
  let current = null; // the last whole ticket, with any later places laid over it
  let ended = false;
  let leaving = false; // this phone asked to leave: "you have left", not "cancelled"
  let wayTo = null; // the room whose way is on screen (or on its way)

  function byId(id) {
    return document.getElementById(id);
  }

  function t(key, values) {
    let text = config.texts[key] || "";
    for (const [name, value] of Object.entries(values || {})) {
      text = text.replaceAll("{" + name + "}", String(value));
    }
    return text;
  }

  function nameIn(names) {
    return names[config.language] || Object.values(names)[0] || "";
  }

  // --- Showing the ticket ------------------------------------------------------------

  function apply(update) {
    if (ended || update.seq < lastSeq) return;
    lastSeq = update.seq;
    current = update.ticket;
    render(current);
  }

  function applyPlace(update) {
    if (ended || !current || current.status !== "waiting" || update.seq < lastSeq) return;
    lastSeq = update.seq;
    current = Object.assign({}, current, {
      position: update.position,
      estimate: update.estimate,
      delay: update.delay,
    });
    render(current);
  }

  function render(ticket) {
    const waiting = ticket.status === "waiting";
    byId("service").textContent = nameIn(ticket.service.names);
    renderCall(ticket);
    renderWay(ticket);
    byId("place").textContent = waiting ? placeInLine(ticket.position) : "";
    byId("estimate").textContent = waiting ? waitEstimate(ticket) : "";
    byId("state").textContent = stateText(ticket.status);
    renderDelays(waiting ? ticket : null);
    byId("leave").hidden = !LEAVABLE.includes(ticket.status);
    document.body.dataset.status = ticket.status;
    if (ENDED.includes(ticket.status)) finish();
  }

  function renderCall(ticket) {
    const alert = byId("called");
    if (ticket.status !== "called") {
      alert.replaceChildren();
      delete alert.dataset.calledAt;
      document.title = pageTitle;
      return;
    }
    // Announce and vibrate once per call (a recall is a new call), not on every update.
    if (alert.dataset.calledAt === ticket.called_at) return;
    alert.dataset.calledAt = ticket.called_at;
    const room = ticket.room ? nameIn(ticket.room.names) : "";
    const headline = paragraph(t("called", { room: room }), "called-text");
    alert.replaceChildren(headline, paragraph(t("called_hint"), "called-hint"));
    document.title = headline.textContent;
    if (navigator.vibrate) navigator.vibrate([400, 200, 400]);
  }

  // --- The way to the room ---------------------------------------------------------
  //
  // Asked for once per call (GET /api/tickets/<token>/route), not carried by every
  // ticket_update: the steps and drawings are several kilobytes and change only when
  // the room does. The server picks the start (where the ticket's service waits), the
  // room, the language and whether the way must be step-free.

  function renderWay(ticket) {
    const room = ticket.status === "called" && ticket.room ? ticket.room.code : null;
    if (room === wayTo) return;
    wayTo = room;
    clearWay();
    if (room) loadWay(room);
  }

  function clearWay() {
    byId("way").hidden = true;
    ["way-title", "way-facts", "way-problem", "way-steps", "way-maps"].forEach((id) => {
      byId(id).replaceChildren();
    });
  }

  async function loadWay(room) {
    try {
      const response = await fetch(config.urls.route, {
        cache: "no-store",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const answer = await response.json().catch(() => ({}));
      if (wayTo !== room) return; // called to another room meanwhile, or no longer called
      if (response.ok) return showWay(answer);
      if (answer.error && answer.error.code === "no_step_free_route") {
        byId("way-problem").textContent = t("no_step_free_route");
        byId("way-body").hidden = true;
        byId("way").hidden = false;
        return;
      }
    } catch (networkError) {
      // Tried again with the next update or snapshot (after a lost signal, for one).
    }
    if (wayTo === room) wayTo = null;
  }

  function showWay(route) {
    byId("way-title").textContent = t("way_title", { place: route.to.name });
    const facts = [route.duration, t("way_floor", { floor: route.to.floor_name })];
    if (route.mode === "step_free") facts.push(t("step_free_on"));
    byId("way-facts").textContent = facts.join(" · ");
    byId("way-steps").replaceChildren(...route.steps.map((step) => listItem(step.text)));
    byId("way-maps").replaceChildren(...route.drawings.map(figure));
    byId("way-link").href = route.url;
    byId("way-body").hidden = false;
    byId("way").hidden = false;
  }

  /* A floor's drawing: SVG made (and escaped) by the server, parsed as SVG, not HTML. */
  function figure(drawing) {
    const node = document.createElement("figure");
    node.className = "route-figure";
    const caption = document.createElement("figcaption");
    caption.textContent = drawing.name;
    node.append(caption);
    const parsed = new DOMParser().parseFromString(drawing.svg, "image/svg+xml");
    if (parsed.documentElement.localName === "svg") {
      node.append(document.importNode(parsed.documentElement, true));
    }
    return node;
  }

  function placeInLine(position) {
    if (!position) return "";
    return position === 1 ? t("place_next") : t("place", { position: position });
  }

  function waitEstimate(ticket) {
    if (!ticket.estimate) return "";
    return t(ticket.position === 1 ? "estimate_next" : "estimate", ticket.estimate);
  }

  function stateText(status) {
    if (status === "cancelled") return leaving ? t("left") : t("cancelled");
    const texts = { in_service: "in_service", no_show: "no_show", done: "done" };
    return texts[status] ? t(texts[status]) : "";
  }

  function renderDelays(ticket) {
    const lines = [];
    if (ticket && ticket.delay && ticket.delay.message) lines.push(ticket.delay.message);
    for (const notice of (ticket && ticket.notices) || []) {
      lines.push(t("notice", { minutes: notice.expected_minutes, reason: notice.reason }));
    }
    byId("delay-list").replaceChildren(...lines.map((line) => listItem(line)));
    byId("delays").hidden = lines.length === 0;
  }

  function paragraph(text, className) {
    const node = document.createElement("p");
    node.className = className;
    node.textContent = text;
    return node;
  }

  function listItem(text) {
    const node = document.createElement("li");
    node.textContent = text;
    return node;
  }

  /* The visit is over, or the server no longer knows the ticket: stop listening. */
  function finish() {
    ended = true;
    byId("leave").hidden = true;
    byId("connection").textContent = "";
    socket.disconnect();
  }

  function showNoLongerActive() {
    byId("called").replaceChildren();
    wayTo = null;
    clearWay();
    byId("place").textContent = "";
    byId("estimate").textContent = "";
    renderDelays(null);
    byId("state").textContent = t("ended");
    document.body.dataset.status = "ended";
    finish();
  }

  // --- Live updates ----------------------------------------------------------------------

  const socket = io({ auth: { ticket: config.token }, transports: ["websocket", "polling"] });

  function showConnection(connected) {
    if (ended) return;
    byId("connection").textContent = connected ? t("live") : t("reconnecting");
  }

  function resync() {
    socket.emit("sync", {}, (answer) => {
      if (answer && answer.data) apply(answer.data);
      else if (answer && answer.error) stillActive();
    });
  }

  /* Asked over HTTP when the socket is refused: is the ticket over, or is it the network? */
  async function stillActive() {
    try {
      const response = await fetch(config.urls.status, {
        cache: "no-store",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.status === 404 || response.status === 410) return showNoLongerActive();
      if (response.ok) apply(await response.json());
    } catch (networkError) {
      // Still no signal: the socket keeps trying, and catches up when it connects.
    }
  }

  // On (re)connecting the server sends a fresh snapshot by itself.
  socket.on("connect", () => showConnection(true));
  socket.on("disconnect", () => showConnection(false));
  socket.on("connect_error", () => {
    showConnection(false);
    if (!socket.active) stillActive(); // refused by the server, not a network failure
  });
  socket.on("ticket_update", apply);
  socket.on("ticket_place", applyPlace);
  // A phone that slept may not have noticed that its connection died.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || ended) return;
    if (socket.connected) resync();
    else socket.connect();
  });

  // --- Leaving the queue ---------------------------------------------------------------

  async function leave() {
    leaving = true;
    byId("problem").textContent = "";
    try {
      const response = await fetch(config.urls.cancel, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
        credentials: "same-origin",
        cache: "no-store",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.ok) return apply(await response.json());
      if (response.status === 404 || response.status === 410) return showNoLongerActive();
    } catch (networkError) {
      // Said below, like a refusal: nothing changed, and the patient may try again.
    }
    leaving = false;
    byId("problem").textContent = t("leave_failed");
  }

  byId("leave").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (!action) return;
    dialog.close();
    if (action.dataset.action === "leave") leave();
  });

  // --- Reading modes, remembered on this phone -----------------------------------------

  const MODES = { text: "large", contrast: "high" };

  function setMode(mode, on) {
    if (on) root.dataset[mode] = MODES[mode];
    else delete root.dataset[mode];
    document.querySelector('[data-mode="' + mode + '"]').setAttribute("aria-pressed", String(on));
    try {
      localStorage.setItem("waitroom." + mode, on ? "on" : "off");
    } catch (storageRefused) {
      // Private browsing may refuse storage; the mode still applies to this page.
    }
  }

  function savedMode(mode) {
    try {
      return localStorage.getItem("waitroom." + mode) === "on";
    } catch (storageRefused) {
      return false;
    }
  }

  document.querySelectorAll("[data-mode]").forEach((button) => {
    const mode = button.dataset.mode;
    setMode(mode, savedMode(mode));
    button.addEventListener("click", () => {
      setMode(mode, button.getAttribute("aria-pressed") !== "true");
    });
  });

  apply(config.snapshot);
})();
