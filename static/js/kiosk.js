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
  // The places the map shows the way to, per language (the site's, not a patient's).
  const places = {};

  function newPatient() {
    return {
      language: defaultLanguage,
      screen: "start",
      retryScreen: "start", // where "Try again" goes back to
      dobPart: "day",
      appointment: null, // how the confirmed appointment was found: {code} or name + birth date
      stepFree: false, // ways without stairs or escalators; remembered for the ticket
      place: null, // the destination chosen under "Find your way"
      wayOpen: false, // the ticket's way to the waiting area, shown in full
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
    renderStepFree();
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
    if (key === "delete") {
      deleteKey(input, target === "dob");
    } else if (input.value.length < input.maxLength) {
      input.value += key;
      if (target === "dob" && input.value.length === input.maxLength) moveDobPart(1);
    }
    if (target === "find-entry") filterPlaces();
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
    const body = Object.assign({}, patient.appointment, {
      language: patient.language,
      step_free: patient.stepFree,
    });
    const checkedIn = await send(config.urls.appointment, body, true);
    if (checkedIn) showTicket(checkedIn);
  }

  async function checkInWalkIn(service) {
    const body = { service: service, language: patient.language, step_free: patient.stepFree };
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
    if (config.wayfinding && checkedIn.waiting_area) showWayToWaitingArea(checkedIn.waiting_area);
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

  // --- Find your way ----------------------------------------------------------------
  //
  // Anyone may look up a place; the route starts at this kiosk. The list comes from
  // the destinations API in the patient's language, the route from the route API; the
  // drawings are SVG made by the server, and the QR code too (/kiosk/route/qr.svg).

  async function openFind() {
    show("find");
    const asking = patient;
    const language = patient.language;
    const answer = await getJson(config.urls.destinations + "?" + query({ lang: language }));
    if (patient !== asking) return;
    if (answer && answer.ok) places[language] = answer.body.destinations;
    renderPlaces();
  }

  function renderPlaces() {
    const list = places[patient.language];
    const container = byId("place-list");
    if (!list) {
      container.replaceChildren();
      byId("find-count").textContent = t("places_failed");
      return;
    }
    const groups = [];
    for (const place of list) {
      let group = groups[groups.length - 1];
      if (!group || group.kind !== place.kind_name) {
        group = { kind: place.kind_name, places: [] };
        groups.push(group);
      }
      group.places.push(place);
    }
    container.replaceChildren(...groups.map(placeGroup));
    filterPlaces();
  }

  function placeGroup(group) {
    const section = document.createElement("section");
    section.className = "place-group";
    const heading = document.createElement("h2");
    heading.textContent = group.kind;
    const items = document.createElement("ul");
    for (const place of group.places) {
      const item = document.createElement("li");
      item.append(placeButton(place));
      items.append(item);
    }
    section.append(heading, items);
    return section;
  }

  function placeButton(place) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "place";
    button.dataset.place = place.code;
    button.dataset.name = place.name;
    const details = [place.floor_name];
    if (place.landmarks.length) details.push(t("near", { landmarks: place.landmarks.join(", ") }));
    button.append(textSpan(place.name, "place-name"), textSpan(details.join(" · "), "sub"));
    button.dataset.search = plain([place.name, place.kind_name, ...details].join(" "));
    return button;
  }

  /* Show the places whose name, kind, floor or landmarks hold every word typed. */
  function filterPlaces() {
    const words = plain(byId("find-entry").value).split(/\s+/).filter(Boolean);
    let found = 0;
    document.querySelectorAll("#place-list .place-group").forEach((group) => {
      let shown = 0;
      group.querySelectorAll("li").forEach((item) => {
        const text = item.firstElementChild.dataset.search;
        item.hidden = !words.every((word) => text.includes(word));
        if (!item.hidden) shown += 1;
      });
      group.hidden = shown === 0;
      found += shown;
    });
    if (!places[patient.language]) return;
    byId("find-count").textContent = found ? t("places_found", { count: found }) : t("no_places");
  }

  /* Lower case, without accents: "Á" and "a" match, so do "ñ" and "n". */
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function choosePlace(button) {
    patient.place = { code: button.dataset.place, name: button.dataset.name };
    showRoute();
  }

  async function showRoute() {
    const place = patient.place;
    byId("route-title").textContent = t("route_title", { place: place.name });
    ["route-facts", "route-problem", "route-steps", "route-maps", "route-link"].forEach((id) => {
      forget(byId(id));
    });
    forget(byId("route-qr"));
    byId("route-body").hidden = true;
    byId("route-phone").hidden = true;
    if (patient.screen !== "route") show("route");
    const asking = patient;
    const found = await fetchRoute(place.code);
    if (patient !== asking || patient.place !== place) return;
    if (found.problem) {
      byId("route-problem").textContent = t(found.problem);
      return;
    }
    const route = found.route;
    byId("route-title").textContent = t("route_title", { place: route.to.name });
    byId("route-facts").textContent = routeFacts(route);
    fillSteps(byId("route-steps"), route.steps);
    fillDrawings(byId("route-maps"), route.drawings, "find-");
    const qr = byId("route-qr");
    const qrQuery = Object.assign({ site: config.site.slug }, routeQuery(place.code, route.mode));
    qr.src = config.urls.route_qr + "?" + query(qrQuery);
    qr.alt = t("route_qr_alt");
    // The address the QR code holds: the route page at the address phones use.
    const link = config.public_base + route.url.slice(config.script_root.length);
    const written = byId("route-link");
    written.textContent = link.split("://").pop();
    written.dataset.link = link;
    byId("route-body").hidden = false;
    byId("route-phone").hidden = false;
  }

  /* The way from this kiosk: {route} or {problem: the key of a text that says why not}. */
  async function fetchRoute(to) {
    const answer = await getJson(config.urls.route + "?" + query(routeQuery(to)));
    if (answer && answer.ok) return { route: answer.body };
    const code = answer && answer.body && answer.body.error ? answer.body.error.code : "";
    return { problem: code === "no_step_free_route" ? "no_step_free_route" : "route_failed" };
  }

  function routeQuery(to, mode) {
    return {
      from: config.wayfinding.from,
      to: to,
      mode: mode || (patient.stepFree ? "step_free" : "shortest"),
      lang: patient.language,
    };
  }

  function routeFacts(route) {
    const facts = [route.duration, t("route_floor", { floor: route.to.floor_name })];
    if (route.mode === "step_free") facts.push(t("step_free_on"));
    return facts.join(" · ");
  }

  function fillSteps(list, steps) {
    list.replaceChildren(
      ...steps.map((step) => {
        const item = document.createElement("li");
        item.textContent = step.text;
        return item;
      })
    );
  }

  function fillDrawings(container, drawings, prefix) {
    container.replaceChildren(
      ...drawings.map((drawing) => {
        const figure = document.createElement("figure");
        figure.className = "route-figure";
        const caption = document.createElement("figcaption");
        caption.textContent = drawing.name;
        figure.append(caption, svgDrawing(drawing.svg, prefix));
        return figure;
      })
    );
  }

  /* A drawing from the server, as an element. Its ids (title, description, arrow) get
   * a prefix, so that two routes on one page never share one. */
  function svgDrawing(text, prefix) {
    const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
    const svg = document.importNode(parsed.documentElement, true);
    if (svg.localName !== "svg") return document.createElement("span");
    svg.querySelectorAll("[id]").forEach((node) => {
      node.id = prefix + node.id;
    });
    const labels = (svg.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
    svg.setAttribute("aria-labelledby", labels.map((id) => prefix + id).join(" "));
    svg.querySelectorAll("[marker-end]").forEach((node) => {
      node.setAttribute("marker-end", node.getAttribute("marker-end").replace("url(#", "url(#" + prefix));
    });
    return svg;
  }

  // --- Step-free ---------------------------------------------------------------------

  function toggleStepFree() {
    patient.stepFree = !patient.stepFree;
    renderStepFree();
    if (patient.screen === "route" && patient.place) showRoute();
  }

  function renderStepFree() {
    document.querySelectorAll('[data-action="step-free"]').forEach((button) => {
      button.setAttribute("aria-pressed", String(patient.stepFree));
    });
  }

  // --- The way to the waiting area, on the ticket ----------------------------------------

  const SHORT_WAY_STEPS = 2; // then "Show the way" shows the rest, and the map

  async function showWayToWaitingArea(area) {
    const asking = patient;
    const found = await fetchRoute(area);
    if (patient !== asking || !found.route) return;
    const route = found.route;
    byId("way-title").textContent = t("route_title", { place: route.to.name });
    byId("way-facts").textContent = routeFacts(route);
    fillSteps(byId("way-steps"), route.steps);
    fillDrawings(byId("way-maps"), route.drawings, "way-");
    renderWay();
    byId("ticket-way").hidden = false;
  }

  function toggleWay() {
    patient.wayOpen = !patient.wayOpen;
    renderWay();
  }

  function renderWay() {
    const open = patient.wayOpen;
    byId("way-steps").querySelectorAll("li").forEach((item, index) => {
      item.hidden = !open && index >= SHORT_WAY_STEPS;
    });
    byId("way-maps").hidden = !open;
    const toggle = byId("way-toggle");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? t("show_less") : t("show_way");
  }

  function forgetWay() {
    const way = byId("ticket-way");
    if (!way) return;
    way.hidden = true;
    byId("way-maps").hidden = true;
    byId("way-toggle").setAttribute("aria-expanded", "false");
  }

  // --- Reading from the server ---------------------------------------------------------

  /* GET JSON: {ok, status, body}, or null when the network failed. */
  async function getJson(url) {
    if (connection === "offline" || !navigator.onLine) return null;
    document.body.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, {
        cache: "no-store",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await response.json().catch(() => ({}));
      return { ok: response.ok, status: response.status, body: body };
    } catch (networkError) {
      return null;
    } finally {
      document.body.removeAttribute("aria-busy");
    }
  }

  function query(values) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) {
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  // --- The next patient ------------------------------------------------------------

  function startOver() {
    closeIdleWarning();
    patient = newPatient();
    document.querySelectorAll("[data-patient]").forEach(forget);
    document.querySelectorAll(".entry.active").forEach((box) => box.classList.remove("active"));
    forgetWay();
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
    delete node.dataset.link;
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
    find: openFind,
    "step-free": toggleStepFree,
    "toggle-way": toggleWay,
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
    if (button.dataset.place) return choosePlace(button);
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
