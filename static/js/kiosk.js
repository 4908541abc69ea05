/* The self check-in kiosk: one page that shows one screen at a time.
 *
 * Server values arrive as JSON in #kiosk-config, with every word in every one of the
 * site's languages, so that changing language needs no network. Check-in goes through
 * the JSON API. Everything about the patient at the kiosk is in `patient` and in the
 * elements marked data-patient; startOver() forgets both, so nothing of one patient is
 * left for the next.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kiosk-config").textContent);
  const root = document.documentElement;
  const defaultLanguage = config.site.languages[0];
  const placeholder = config.token_placeholder;
  const dialog = byId("idle-warning");
  const DOB_PARTS = ["day", "month", "year"];
  const REQUEST_TIMEOUT_MS = 15000; // a server that does not answer counts as gone

  // The site's services and opening, refreshed for each new patient and on updates.
  const site = {
    open: config.site.open,
    services: config.site.services,
    waits: {}, // service prefix -> typical wait in minutes, from the display updates
    seq: -1,
  };
  let patient = newPatient();
  let connection = "connecting"; // then "online" or "offline"
  let busy = false; // a request is on its way: a second tap must not check in twice
  const idle = { timer: 0, ticker: 0, deadline: 0 };

  function newPatient() {
    return {
      language: defaultLanguage,
      screen: "start",
      retryScreen: "start", // where "Try again" goes back to
      dobPart: "day",
      appointment: null, // how the confirmed appointment was found: {code} or name + birth date
    };
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // --- Words ---------------------------------------------------------------------

  function t(key, values) {
    const texts = config.texts[patient.language] || config.texts[defaultLanguage];
    let text = texts[key] || "";
    for (const [name, value] of Object.entries(values || {})) {
      text = text.replaceAll("{" + name + "}", String(value));
    }
    return text;
  }

  function nameIn(names) {
    return names[patient.language] || names[defaultLanguage] || Object.values(names)[0] || "";
  }

  function applyLanguage() {
    root.lang = patient.language;
    document.querySelectorAll("[data-text]").forEach((node) => {
      node.textContent = t(node.dataset.text);
    });
    document.querySelectorAll("[data-text-label]").forEach((node) => {
      node.setAttribute("aria-label", t(node.dataset.textLabel));
    });
    document.querySelectorAll("[data-language]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.language === patient.language));
    });
    document.title = t("page_title") + " · " + config.site.name;
    renderServices();
    renderConnection();
  }

  function chooseLanguage(language) {
    patient.language = language;
    applyLanguage();
    restartIdleTimer();
  }

  // --- Screens -------------------------------------------------------------------

  function show(screen) {
    patient.screen = screen;
    document.body.dataset.showing = screen;
    document.querySelectorAll("[data-screen]").forEach((section) => {
      section.hidden = section.dataset.screen !== screen;
    });
    byId("start-again").hidden = screen === "start";
    window.scrollTo(0, 0);
    // Move focus to the new screen's heading, so that a screen reader reads it.
    const heading = document.querySelector('[data-screen="' + screen + '"] h1');
    if (heading) heading.focus({ preventScroll: true });
    restartIdleTimer();
  }

  function showProblem(kind) {
    const retryable = ["appointment_not_found", "offline", "rate_limited", "unknown"];
    byId("problem-title").textContent = t(kind + "_title");
    byId("problem-text").textContent = t(kind + "_text");
    byId("retry").hidden = !retryable.includes(kind);
    patient.retryScreen = patient.screen === "problem" ? patient.retryScreen : patient.screen;
    show("problem");
  }

  function showEntryError(key) {
    const message = document.querySelector('[data-screen="' + patient.screen + '"] .entry-error');
    if (message) message.textContent = key ? t(key) : "";
  }

  async function startWalkIn() {
    await refreshSite(); // opening hours may have begun or ended since the last patient
    if (!site.open) return showProblem("closed");
    show("walk-in");
  }

  function renderServices() {
    byId("service-list").replaceChildren(...site.services.map(serviceButton));
  }

  function serviceButton(service) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "primary service";
    button.dataset.service = service.code;
    button.append(textSpan(nameIn(service.names), "service-name"));
    const wait = site.waits[service.prefix];
    if (wait === undefined) return button;
    const waitText = wait > 0 ? t("service_wait", { minutes: wait }) : t("service_no_wait");
    button.append(textSpan(waitText, "sub"));
    return button;
  }

  function textSpan(text, className) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  // --- The on-screen keys ----------------------------------------------------------

  function typeKey(button) {
    const target = button.closest(".keyboard").dataset.target;
    const input = target === "dob" ? byId("dob-" + patient.dobPart) : byId(target);
    const key = button.dataset.key;
    showEntryError(null);
    if (key === "delete") return deleteKey(input, target === "dob");
    if (input.value.length >= input.maxLength) return;
    input.value += key;
    if (target === "dob" && input.value.length === input.maxLength) moveDobPart(1);
  }

  function deleteKey(input, inDateOfBirth) {
    // In an empty date box, Delete goes back into the box before, as on a form.
    if (inDateOfBirth && input.value === "" && patient.dobPart !== "day") {
      moveDobPart(-1);
      input = byId("dob-" + patient.dobPart);
    }
    input.value = input.value.slice(0, -1);
  }

  function selectDobPart(part) {
    patient.dobPart = part;
    DOB_PARTS.forEach((name) => {
      byId("dob-" + name).classList.toggle("active", name === part);
    });
  }

  function moveDobPart(step) {
    const index = DOB_PARTS.indexOf(patient.dobPart) + step;
    selectDobPart(DOB_PARTS[Math.max(0, Math.min(DOB_PARTS.length - 1, index))]);
  }

  function dateOfBirth() {
    const [day, month, year] = DOB_PARTS.map((part) => byId("dob-" + part).value);
    if (!day || !month || year.length !== 4) return { error: "dob_incomplete" };
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    const real =
      date.getUTCFullYear() === Number(year) &&
      date.getUTCMonth() === Number(month) - 1 &&
      date.getUTCDate() === Number(day) &&
      date <= new Date();
    if (!real) return { error: "dob_invalid" };
    return { value: year + "-" + month.padStart(2, "0") + "-" + day.padStart(2, "0") };
  }

  // --- Finding the appointment, and checking in ------------------------------------

  function findByCode() {
    const code = byId("code-entry").value.trim();
    if (!code) return showEntryError("code_empty");
    lookUp({ code: code });
  }

  function nameNext() {
    if (!byId("name-entry").value.trim()) return showEntryError("name_empty");
    show("dob");
    selectDobPart("day");
  }

  function findByName() {
    const birth = dateOfBirth();
    if (birth.error) return showEntryError(birth.error);
    lookUp({ last_name: byId("name-entry").value.trim(), date_of_birth: birth.value });
  }

  async function lookUp(identity) {
    const found = await send(config.urls.lookup, identity, false);
    if (!found) return;
    patient.appointment = identity;
    byId("confirm-name").textContent = found.first_name;
    byId("confirm-time").textContent = found.time;
    byId("confirm-service").textContent = nameIn(found.service.names);
    show("confirm");
  }

  async function checkInAppointment() {
    const body = Object.assign({}, patient.appointment, { language: patient.language });
    const checkedIn = await send(config.urls.appointment, body, true);
    if (checkedIn) showTicket(checkedIn);
  }

  async function checkInWalkIn(service) {
    const body = { service: service, language: patient.language };
    const checkedIn = await send(config.urls.walk_in, body, true);
    if (checkedIn) showTicket(checkedIn);
  }

  /* POST to the API. Answers the JSON, or null once the problem is on screen.
   * Offline, nothing is sent: the patient is told at once instead of the check-in
   * being lost. */
  async function send(url, body, checksIn) {
    if (busy) return null;
    if (connection === "offline" || !navigator.onLine) {
      showProblem("offline");
      return null;
    }
    busy = true;
    document.body.setAttribute("aria-busy", "true");
    const asking = patient;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const answer = await response.json().catch(() => ({}));
      // An answer that comes after the kiosk started over is not for whoever is there now.
      if (patient !== asking) return null;
      if (response.ok) return answer;
      showProblem(problemFor(response.status, answer));
    } catch (networkError) {
      if (patient !== asking) return null;
      // The request may or may not have reached the server; a check-in that did is on
      // the desk's screen, so the patient is sent there rather than asked to retry.
      setConnection("offline");
      reconnectSoon();
      showProblem(checksIn ? "lost" : "offline");
    } finally {
      busy = false;
      document.body.removeAttribute("aria-busy");
    }
    return null;
  }

  function problemFor(status, answer) {
    const code = answer && answer.error ? answer.error.code : "";
    const known = ["appointment_not_found", "too_early", "too_late", "already_checked_in", "closed"];
    if (status === 429) return "rate_limited";
    if (known.includes(code)) return code;
    return "unknown";
  }

  // --- The ticket ------------------------------------------------------------------

  function showTicket(checkedIn) {
    const ticket = checkedIn.ticket;
    const token = encodeURIComponent(checkedIn.token);
    byId("ticket-number").textContent = ticket.number;
    byId("ticket-service").textContent = nameIn(ticket.service.names);
    byId("ticket-place").textContent = placeInLine(ticket.position);
    byId("ticket-wait").textContent = waitEstimate(ticket);
    const qr = byId("ticket-qr");
    qr.src = config.urls.qr.replace(placeholder, token);
    qr.alt = t("qr_alt");
    byId("ticket-link").textContent = config.urls.phone_short.replace(placeholder, token);
    byId("ticket-time").textContent = t("checked_in_at", { time: localTime(ticket.arrived_at) });
    show("ticket");
  }

  function placeInLine(position) {
    if (!position) return "";
    return position === 1 ? t("place_next") : t("place", { position: position });
  }

  function waitEstimate(ticket) {
    const estimate = ticket.estimate;
    if (!estimate) return "";
    if (ticket.position === 1) return t("estimate_next", estimate);
    return t("estimate", estimate);
  }

  function localTime(iso) {
    const format = new Intl.DateTimeFormat(patient.language, {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: config.site.timezone,
    });
    return format.format(new Date(iso));
  }

  // --- The next patient ------------------------------------------------------------

  function startOver() {
    closeIdleWarning();
    patient = newPatient();
    document.querySelectorAll("[data-patient]").forEach(forget);
    document.querySelectorAll(".entry.active").forEach((box) => box.classList.remove("active"));
    setMode("text", false);
    setMode("contrast", false);
    applyLanguage();
    show("start");
    refreshSite();
  }

  function forget(node) {
    if (node instanceof HTMLInputElement) {
      node.value = "";
    } else if (node instanceof HTMLImageElement) {
      node.removeAttribute("src");
      node.alt = "";
    } else {
      node.textContent = "";
    }
  }

  async function refreshSite() {
    if (connection === "offline") return;
    try {
      const response = await fetch(config.urls.site, {
        cache: "no-store",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) return;
      const info = await response.json();
      site.open = info.open;
      site.services = info.services;
      renderServices();
    } catch (networkError) {
      // The socket tells us when we are offline; the old list will do until then.
    }
  }

  // --- No touch for a while: warn, then go back to the start (WCAG 2.2.1) ----------

  function untouched() {
    return (
      patient.screen === "start" &&
      patient.language === defaultLanguage &&
      !root.dataset.text &&
      !root.dataset.contrast
    );
  }

  function restartIdleTimer() {
    clearTimeout(idle.timer);
    if (dialog.open || untouched()) return;
    idle.timer = setTimeout(warnIdle, config.idle_seconds * 1000);
  }

  function warnIdle() {
    // Counted from the clock, not by ticks, which a busy or sleeping page may skip.
    idle.deadline = Date.now() + config.warning_seconds * 1000;
    renderIdleCountdown();
    dialog.showModal();
    idle.ticker = setInterval(renderIdleCountdown, 1000);
  }

  function renderIdleCountdown() {
    const seconds = Math.ceil((idle.deadline - Date.now()) / 1000);
    if (seconds <= 0) return startOver();
    byId("idle-text").textContent = t("idle_text", { seconds: seconds });
  }

  function closeIdleWarning() {
    clearTimeout(idle.timer);
    clearInterval(idle.ticker);
    if (dialog.open) dialog.close();
  }

  function moreTime() {
    closeIdleWarning();
    restartIdleTimer();
  }

  // --- Reading modes -----------------------------------------------------------------

  function setMode(mode, on) {
    const attribute = mode === "text" ? "text" : "contrast";
    if (on) root.dataset[attribute] = mode === "text" ? "large" : "high";
    else delete root.dataset[attribute];
    document.querySelector('[data-mode="' + mode + '"]').setAttribute("aria-pressed", String(on));
  }

  function toggleMode(button) {
    setMode(button.dataset.mode, button.getAttribute("aria-pressed") !== "true");
    restartIdleTimer();
  }

  // --- Connection ----------------------------------------------------------------------

  function setConnection(state) {
    connection = state;
    document.body.dataset.connection = state;
    renderConnection();
  }

  function renderConnection() {
    byId("connection").textContent = connection === "offline" ? t("offline") : "";
  }

  const socket = io({
    auth: config.device ? { display: config.site.slug, device: config.device } : { display: config.site.slug },
    transports: ["websocket", "polling"],
  });

  function reconnectSoon() {
    // Make the socket find out for itself; its "connect" ends the offline state.
    if (socket.connected) socket.disconnect();
    socket.connect();
  }

  socket.on("connect", () => {
    setConnection(navigator.onLine ? "online" : "offline");
    if (patient.screen === "start") refreshSite();
  });
  socket.on("disconnect", () => setConnection("offline"));
  socket.on("connect_error", () => setConnection("offline"));
  socket.on("display_update", (update) => {
    // Each update carries the whole display state, so an older one is simply skipped.
    if (update.seq < site.seq) return;
    site.seq = update.seq;
    site.services = update.state.services;
    site.waits = Object.fromEntries(update.state.services.map((s) => [s.prefix, s.typical_wait]));
    renderServices();
  });
  window.addEventListener("offline", () => setConnection("offline"));
  window.addEventListener("online", () => {
    if (socket.connected) setConnection("online");
    else socket.connect();
  });

  // --- Taps ----------------------------------------------------------------------------

  const ACTIONS = {
    reset: startOver,
    "walk-in": startWalkIn,
    "find-by-code": findByCode,
    "name-next": nameNext,
    "find-by-name": findByName,
    "check-in-appointment": checkInAppointment,
    "not-me": () => {
      const foundByCode = Boolean(patient.appointment && patient.appointment.code);
      patient.appointment = null;
      show(foundByCode ? "code" : "name");
    },
    retry: () => show(patient.retryScreen),
    print: () => window.print(),
    "more-time": moreTime,
  };

  document.addEventListener("click", (event) => {
    const part = event.target.closest("[data-part]");
    if (part) return selectDobPart(part.dataset.part);
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.key !== undefined) return typeKey(button);
    if (button.dataset.goto) return show(button.dataset.goto);
    if (button.dataset.language) return chooseLanguage(button.dataset.language);
    if (button.dataset.mode) return toggleMode(button);
    if (button.dataset.service) return checkInWalkIn(button.dataset.service);
    const action = ACTIONS[button.dataset.action];
    if (action) action();
  });
  // Any touch or key counts as someone still being there, except while the warning is
  // up: only "More time" (or Escape) answers it.
  ["pointerdown", "keydown"].forEach((type) => {
    document.addEventListener(type, restartIdleTimer, true);
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    moreTime();
  });

  setConnection("connecting");
  applyLanguage();
  document.body.dataset.showing = "start";
})();
