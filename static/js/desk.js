// The front-desk console. Every action is a call to the JSON API (the same checks and
// audit log as any client); the page shows the queue as the staff socket reports it,
// so every desk of the site sees every change at once.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("desk-config").textContent);
  var strings = config.strings;
  var language = document.documentElement.lang || "en";

  var OPEN = ["waiting", "called", "in_service", "no_show"];
  var ROOM_KEY = "waitroom.desk.room";
  var RETRY_MS = 5000;
  var ACCURACY_DELAY_MS = 3000; // calls often come in bursts: score once after them
  var CLOCK_TICK_MS = 30000; // "waiting for 12 min" moves on by itself

  var el = {
    room: document.getElementById("room"),
    pauseRoom: document.getElementById("pause-room"),
    connection: document.getElementById("connection-text"),
    feedback: document.getElementById("feedback"),
    feedbackError: document.getElementById("feedback-error"),
    callNext: document.getElementById("call-next"),
    pausedHint: document.getElementById("room-paused-hint"),
    current: document.getElementById("current"),
    nobodyCalled: document.getElementById("nobody-called"),
    waitingCount: document.getElementById("waiting-count"),
    waitingList: document.getElementById("waiting-list"),
    nobodyWaiting: document.getElementById("nobody-waiting"),
    missedSection: document.getElementById("missed-section"),
    missedList: document.getElementById("missed-list"),
    addForm: document.getElementById("add-form"),
    addService: document.getElementById("add-service"),
    noticeList: document.getElementById("notice-list"),
    noNotices: document.getElementById("no-notices"),
    noticeForm: document.getElementById("notice-form"),
    noticeScope: document.getElementById("notice-scope"),
    noticeTargetField: document.getElementById("notice-target-field"),
    noticeTarget: document.getElementById("notice-target"),
    deviceList: document.getElementById("device-list"),
    accuracy: document.getElementById("accuracy-text"),
    priorityDialog: document.getElementById("priority-dialog"),
    transferDialog: document.getElementById("transfer-dialog"),
    cancelDialog: document.getElementById("cancel-dialog"),
  };

  var state = {
    seq: null,
    site: null,
    services: [],
    rooms: [],
    tickets: new Map(), // id -> staff view of every open ticket of today
    notices: [],
    devices: [],
  };
  var chosenRoom = config.room || readStored(ROOM_KEY);
  var syncing = false;

  // --- Small helpers -------------------------------------------------------------

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function readStored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // Private mode: the choice lasts until the page reloads.
    }
  }

  // A service's or room's name in the page's language, else in the site's first one.
  function nameIn(names) {
    if (!names) return "";
    return names[language] || names[Object.keys(names)[0]] || "";
  }

  function serviceByPrefix(prefix) {
    return state.services.find(function (s) { return s.prefix === prefix; });
  }

  function roomByCode(code) {
    return state.rooms.find(function (r) { return r.code === code; });
  }

  function clockTime(iso) {
    if (!iso) return "";
    var options = { hour: "2-digit", minute: "2-digit" };
    if (state.site && state.site.timezone) options.timeZone = state.site.timezone;
    return new Date(iso).toLocaleTimeString(language, options);
  }

  function minutesSince(iso) {
    return Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));
  }

  // The server's call order (server/domain/queue.py call_order_key): priority first,
  // then the place earned, then arrival, then id. ISO times in UTC sort as text.
  function inCallOrder(a, b) {
    if (a.priority !== b.priority) return b.priority - a.priority;
    if (a.queue_at !== b.queue_at) return a.queue_at < b.queue_at ? -1 : 1;
    if (a.arrived_at !== b.arrived_at) return a.arrived_at < b.arrived_at ? -1 : 1;
    return a.id - b.id;
  }

  // --- Talking to the server -----------------------------------------------------

  var idleTimer = null;

  // The server forgets an idle login after idle_minutes; the page leaves at the same
  // moment, so no names stay on an unattended screen.
  function restartIdleTimer() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(logOutIdle, config.idle_minutes * 60000);
  }

  function logOutIdle() {
    post("/api/logout", {}).catch(function () {}).then(function () {
      window.location.assign(config.login_url + "?expired=1&next=" + encodeURIComponent(thisPage()));
    });
  }

  function thisPage() {
    return window.location.pathname + window.location.search;
  }

  function goToLogin() {
    window.location.assign(config.login_url + "?next=" + encodeURIComponent(thisPage()));
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
  }

  // One desk action: POST to the site's API, then say what happened. A 401 means the
  // login ended (idle, or logged out elsewhere): back to the login page.
  function act(path, body, describe) {
    return post(config.api + path, body).then(
      function (response) {
        if (response.status === 401) {
          goToLogin();
          return null;
        }
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            showError(data && data.error ? data.error.message : strings.failed);
            return null;
          }
          restartIdleTimer();
          showFeedback(describe ? describe(data) : "");
          return data;
        });
      },
      function () {
        showError(strings.network_error);
        return null;
      }
    );
  }

  function showFeedback(text) {
    el.feedbackError.textContent = "";
    el.feedback.textContent = text;
  }

  function showError(text) {
    el.feedback.textContent = "";
    el.feedbackError.textContent = text;
  }

  // --- The actions ---------------------------------------------------------------

  function currentRoom() {
    return roomByCode(chosenRoom);
  }

  function roomLabel(code) {
    var room = roomByCode(code);
    return room ? nameIn(room.names) : code;
  }

  function callNext() {
    var room = currentRoom();
    if (!room) return;
    el.callNext.disabled = true; // a double press must not call two patients
    act("/rooms/" + encodeURIComponent(room.code) + "/call-next", {}, function (data) {
      return fill(strings.called, { number: data.ticket.number, room: nameIn(room.names) });
    }).then(function () {
      el.callNext.disabled = false;
      renderSoon();
    });
  }

  function ticketAction(ticket, action, body) {
    var said = {
      call: function (data) {
        return fill(strings.called, { number: data.ticket.number, room: roomLabel(body.room) });
      },
      recall: function () { return fill(strings.recalled, { number: ticket.number }); },
      start: function () { return fill(strings.started, { number: ticket.number }); },
      complete: function () { return fill(strings.completed, { number: ticket.number }); },
      "no-show": function () { return fill(strings.no_showed, { number: ticket.number }); },
      "return": function () { return fill(strings.returned, { number: ticket.number }); },
      cancel: function () { return fill(strings.cancelled, { number: ticket.number }); },
      transfer: function () {
        var service = serviceByPrefix(body.service);
        return fill(strings.transferred, {
          number: ticket.number,
          service: service ? nameIn(service.names) : body.service,
        });
      },
      priority: function () {
        return fill(strings.prioritised, { number: ticket.number, level: strings["priority_" + body.level] });
      },
    }[action];
    return act("/tickets/" + ticket.id + "/" + action, body || {}, said);
  }

  function togglePause() {
    var room = currentRoom();
    if (!room) return;
    var action = room.paused ? "resume" : "pause";
    act("/rooms/" + encodeURIComponent(room.code) + "/" + action, {}, function () {
      return fill(room.paused ? strings.resumed : strings.paused, { room: nameIn(room.names) });
    });
  }

  function addPatient(event) {
    event.preventDefault();
    var form = new FormData(el.addForm);
    var body = { service: form.get("service") };
    var name = String(form.get("patient_name") || "").trim();
    if (name) body.patient_name = name;
    if (form.get("language")) body.language = form.get("language");
    if (form.get("step_free")) body.step_free = true;
    act("/tickets", body, function (data) {
      return fill(strings.added, { number: data.ticket.number });
    }).then(function (data) {
      if (data) el.addForm.reset();
    });
  }

  function postNotice(event) {
    event.preventDefault();
    var form = new FormData(el.noticeForm);
    var scope = form.get("scope");
    var body = {
      scope: scope,
      reason: String(form.get("reason") || "").trim(),
      expected_minutes: parseInt(form.get("expected_minutes"), 10),
    };
    if (scope !== "site") body.target = form.get("target");
    act("/notices", body, function () { return strings.notice_posted; }).then(function (data) {
      if (data) {
        el.noticeForm.reset();
        showNoticeTargets();
      }
    });
  }

  function clearNotice(notice) {
    act("/notices/" + notice.id + "/clear", {}, function () { return strings.notice_cleared; });
  }

  // --- Dialogs (priority, transfer, cancel) --------------------------------------

  var dialogTicket = null;

  function openDialog(dialog, ticket, title) {
    dialogTicket = ticket;
    dialog.querySelector("h2").textContent = fill(title, { number: ticket.number });
    dialog.returnValue = "";
    dialog.showModal();
  }

  function askPriority(ticket) {
    document.getElementById("priority-level").value = String(Math.min(ticket.priority + 1, 3));
    openDialog(el.priorityDialog, ticket, strings.priority_title);
  }

  function askTransfer(ticket) {
    var select = document.getElementById("transfer-service");
    select.replaceChildren.apply(select, state.services
      .filter(function (s) { return s.prefix !== ticket.service.prefix || ticket.status !== "waiting"; })
      .map(function (s) { return option(s.prefix, nameIn(s.names)); }));
    openDialog(el.transferDialog, ticket, strings.transfer_title);
  }

  function askCancel(ticket) {
    openDialog(el.cancelDialog, ticket, strings.cancel_title);
  }

  function onDialogClosed(dialog, run) {
    dialog.addEventListener("close", function () {
      var ticket = dialogTicket;
      dialogTicket = null;
      if (dialog.returnValue === "save" && ticket) run(ticket);
    });
  }

  onDialogClosed(el.priorityDialog, function (ticket) {
    var level = parseInt(document.getElementById("priority-level").value, 10);
    ticketAction(ticket, "priority", { level: level });
  });
  onDialogClosed(el.transferDialog, function (ticket) {
    ticketAction(ticket, "transfer", { service: document.getElementById("transfer-service").value });
  });
  onDialogClosed(el.cancelDialog, function (ticket) {
    ticketAction(ticket, "cancel", {});
  });

  // --- Drawing -------------------------------------------------------------------

  var renderPending = false;

  // Updates often come in bursts (a call changes several tickets): draw once per burst.
  function renderSoon() {
    if (renderPending) return;
    renderPending = true;
    Promise.resolve().then(function () {
      renderPending = false;
      render();
    });
  }

  function render() {
    var focusKey = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.focusKey : null;
    renderRooms();
    renderRoomState();
    renderCurrent();
    renderWaiting();
    renderMissed();
    renderNotices();
    renderDevices();
    renderServiceChoices();
    restoreFocus(focusKey);
  }

  // The lists are redrawn from the state; keep the keyboard where it was.
  function restoreFocus(focusKey) {
    if (!focusKey || (document.activeElement && document.activeElement !== document.body)) return;
    var again = document.querySelector('[data-focus-key="' + focusKey + '"]');
    if (again) again.focus();
  }

  function option(value, text) {
    var node = make("option", null, text);
    node.value = value;
    return node;
  }

  function button(text, className, focusKey, onClick, shortcut) {
    var node = make("button", className);
    node.type = "button";
    node.append(document.createTextNode(text));
    if (shortcut) {
      node.dataset.shortcut = shortcut.toLowerCase();
      node.setAttribute("aria-keyshortcuts", shortcut.toUpperCase());
      node.append(" ", make("kbd", null, shortcut.toUpperCase()));
    }
    node.dataset.focusKey = focusKey;
    node.addEventListener("click", onClick);
    return node;
  }

  // Visible words plus the ticket number for screen readers: "Call now G-012".
  function ticketButton(text, ticket, focusKey, onClick, shortcut) {
    var node = button(text, null, focusKey, onClick, shortcut);
    node.insertBefore(make("span", "visually-hidden", " " + ticket.number), node.childNodes[1] || null);
    return node;
  }

  // Staff see the name when one is known; "no name given" is set apart from names.
  // A patient who asked for a step-free route is marked, so staff can help them along.
  function patientName(ticket, tag) {
    var node = ticket.patient_name
      ? make(tag, "patient-name", ticket.patient_name)
      : make(tag, "patient-name unknown", strings.no_name);
    if (ticket.step_free) node.append(" ", make("span", "step-free-tag", strings.step_free));
    return node;
  }

  function renderRooms() {
    var signature = JSON.stringify(state.rooms.map(function (r) { return [r.code, r.paused]; }));
    if (el.room.dataset.signature === signature) return;
    el.room.dataset.signature = signature;
    el.room.replaceChildren.apply(el.room, state.rooms.map(function (room) {
      var label = nameIn(room.names);
      return option(room.code, room.paused ? fill(strings.paused_option, { room: label }) : label);
    }));
    if (!roomByCode(chosenRoom) && state.rooms.length) chosenRoom = state.rooms[0].code;
    el.room.value = chosenRoom || "";
  }

  function renderRoomState() {
    var room = currentRoom();
    var paused = Boolean(room && room.paused);
    el.pauseRoom.textContent = paused ? strings.resume : strings.pause;
    el.pauseRoom.setAttribute("aria-pressed", paused ? "true" : "false");
    el.callNext.disabled = !room || paused;
    el.pausedHint.hidden = !paused;
    el.pausedHint.textContent = paused ? strings.room_paused : "";
  }

  function ticketsWhere(test) {
    return Array.from(state.tickets.values()).filter(test);
  }

  function inThisRoom(ticket) {
    return ticket.room && ticket.room.code === chosenRoom;
  }

  function servedHere(ticket) {
    var room = currentRoom();
    return Boolean(room) && room.services.indexOf(ticket.service.prefix) !== -1;
  }

  function renderCurrent() {
    // Newest call first: it is the one the shortcuts act on.
    var current = ticketsWhere(function (t) {
      return (t.status === "called" || t.status === "in_service") && inThisRoom(t);
    }).sort(function (a, b) { return (b.called_at || "").localeCompare(a.called_at || ""); });
    el.current.replaceChildren.apply(el.current, current.map(function (ticket, index) {
      return currentCard(ticket, index === 0);
    }));
    el.nobodyCalled.textContent = current.length ? "" : strings.nobody_called;
  }

  function currentCard(ticket, withShortcuts) {
    var card = make("article", "current-ticket");
    var headingId = "current-" + ticket.id;
    card.setAttribute("aria-labelledby", headingId);
    var heading = make("h3", "current-heading");
    heading.id = headingId;
    heading.append(make("span", "ticket-number", ticket.number), " ", patientName(ticket, "span"));
    card.append(heading);
    var detail = ticket.status === "called"
      ? fill(strings.called_at, { time: clockTime(ticket.called_at) })
      : fill(strings.in_room_since, { time: clockTime(ticket.started_at) });
    if (ticket.status === "called" && ticket.recalls) {
      detail += " · " + fill(strings.recalls, { count: ticket.recalls });
    }
    if (ticket.appointment_at) {
      detail += " · " + fill(strings.appointment_at, { time: clockTime(ticket.appointment_at) });
    }
    card.append(make("p", "current-detail", detail));
    card.append(currentActions(ticket, withShortcuts));
    return card;
  }

  function currentActions(ticket, withShortcuts) {
    var key = function (name) { return "current-" + ticket.id + "-" + name; };
    var shortcut = function (letter) { return withShortcuts ? letter : null; };
    var run = function (action) { return function () { ticketAction(ticket, action); }; };
    var actions = make("div", "actions");
    if (ticket.status === "called") {
      actions.append(
        ticketButton(strings.recall, ticket, key("recall"), run("recall"), shortcut("R")),
        ticketButton(strings.start, ticket, key("start"), run("start"), shortcut("S")),
        ticketButton(strings.no_show, ticket, key("no-show"), run("no-show"), shortcut("X"))
      );
    } else {
      actions.append(ticketButton(strings.complete, ticket, key("complete"), run("complete"), shortcut("C")));
    }
    actions.append(ticketButton(strings.transfer, ticket, key("transfer"), function () { askTransfer(ticket); }));
    if (ticket.status === "called") {
      actions.append(ticketButton(strings.cancel, ticket, key("cancel"), function () { askCancel(ticket); }));
    }
    return actions;
  }

  function renderWaiting() {
    var waiting = ticketsWhere(function (t) { return t.status === "waiting" && servedHere(t); })
      .sort(inCallOrder);
    el.waitingList.replaceChildren.apply(el.waitingList, waiting.map(waitingRow));
    el.waitingCount.textContent = "(" + waiting.length + ")";
    el.nobodyWaiting.textContent = waiting.length ? "" : strings.nobody_waiting;
  }

  function waitingRow(ticket) {
    var row = make("tr");
    row.dataset.ticket = ticket.number;
    if (ticket.priority > 0) row.className = "priority-raised";
    // The number, and under it the service (a room may serve several).
    var number = make("th", "ticket-number", ticket.number);
    number.scope = "row";
    var service = serviceByPrefix(ticket.service.prefix);
    number.append(make("span", "ticket-service", service ? nameIn(service.names) : ticket.service.prefix));
    row.append(
      number,
      patientName(ticket, "td"),
      make("td", "waited", fill(strings.minutes, { minutes: minutesSince(ticket.arrived_at) })),
      make("td", null, estimateText(ticket.estimate)),
      make("td", null, clockTime(ticket.appointment_at)),
      make("td", "priority", strings["priority_" + ticket.priority] || String(ticket.priority)),
      rowActions(ticket)
    );
    return row;
  }

  function estimateText(estimate) {
    if (!estimate) return "";
    if (estimate.central === 0) return strings.next;
    return fill(strings.estimate, estimate);
  }

  function rowActions(ticket) {
    var cell = make("td", "actions");
    var key = function (name) { return "ticket-" + ticket.id + "-" + name; };
    cell.append(
      ticketButton(strings.call_here, ticket, key("call"), function () {
        ticketAction(ticket, "call", { room: chosenRoom });
      }),
      ticketButton(strings.priority, ticket, key("priority"), function () { askPriority(ticket); }),
      ticketButton(strings.transfer, ticket, key("transfer"), function () { askTransfer(ticket); }),
      ticketButton(strings.cancel, ticket, key("cancel"), function () { askCancel(ticket); })
    );
    var room = currentRoom();
    cell.firstChild.disabled = !room || room.paused;
    return cell;
  }

  function renderMissed() {
    var missed = ticketsWhere(function (t) { return t.status === "no_show" && servedHere(t); })
      .sort(function (a, b) { return (b.called_at || "").localeCompare(a.called_at || ""); });
    el.missedSection.hidden = missed.length === 0;
    el.missedList.replaceChildren.apply(el.missedList, missed.map(function (ticket) {
      var item = make("li", "missed-ticket");
      item.dataset.ticket = ticket.number;
      item.append(
        make("span", "ticket-number", ticket.number),
        patientName(ticket, "span"),
        make("span", "current-detail", fill(strings.no_show_at, { time: clockTime(ticket.called_at) })),
        ticketButton(strings["return"], ticket, "missed-" + ticket.id + "-return", function () {
          ticketAction(ticket, "return");
        }),
        ticketButton(strings.cancel, ticket, "missed-" + ticket.id + "-cancel", function () {
          askCancel(ticket);
        })
      );
      return item;
    }));
  }

  function noticeTarget(notice) {
    if (notice.scope === "service") {
      var service = serviceByPrefix(notice.service);
      return service ? nameIn(service.names) : notice.service;
    }
    if (notice.scope === "room") return roomLabel(notice.room);
    return strings.notice_site;
  }

  function renderNotices() {
    el.noNotices.hidden = state.notices.length > 0;
    el.noticeList.replaceChildren.apply(el.noticeList, state.notices.map(function (notice) {
      var item = make("li", "notice");
      var text = fill(strings.notice_line, {
        target: noticeTarget(notice),
        reason: notice.reason,
        minutes: notice.expected_minutes,
      });
      item.append(
        make("span", "notice-text", text),
        make("span", "notice-posted", fill(strings.posted_at, { time: clockTime(notice.posted_at) }))
      );
      var clear = button(strings.clear, null, "notice-" + notice.id + "-clear", function () {
        clearNotice(notice);
      });
      clear.append(make("span", "visually-hidden", " " + text));
      item.append(clear);
      return item;
    }));
  }

  function renderDevices() {
    if (!state.devices.length) {
      el.deviceList.replaceChildren(make("li", "hint", strings.no_devices));
      return;
    }
    el.deviceList.replaceChildren.apply(el.deviceList, state.devices.map(function (device) {
      var item = make("li", device.connected ? "device connected" : "device missing");
      var kind = strings["kind_" + (device.kind || "unknown")] || device.kind;
      var name = device.name ||
        (device.code ? fill(strings.unnamed, { code: device.code }) : strings.no_code);
      item.append(make("span", "device-name", name), make("span", "device-kind", kind));
      item.append(make("span", "device-status", device.connected
        ? fill(strings.connected_since, { time: clockTime(device.since) })
        : strings.not_connected));
      return item;
    }));
  }

  // The service and target lists of the forms follow the site's services and rooms.
  function renderServiceChoices() {
    var signature = JSON.stringify(state.services.map(function (s) { return s.prefix; }));
    if (el.addService.dataset.signature === signature) return;
    el.addService.dataset.signature = signature;
    var chosen = el.addService.value;
    el.addService.replaceChildren.apply(el.addService, state.services.map(function (s) {
      return option(s.prefix, nameIn(s.names));
    }));
    if (chosen) el.addService.value = chosen;
    showNoticeTargets();
  }

  function showNoticeTargets() {
    var scope = el.noticeScope.value;
    el.noticeTargetField.hidden = scope === "site";
    var choices = scope === "service"
      ? state.services.map(function (s) { return option(s.prefix, nameIn(s.names)); })
      : state.rooms.map(function (r) { return option(r.code, nameIn(r.names)); });
    el.noticeTarget.replaceChildren.apply(el.noticeTarget, scope === "site" ? [] : choices);
    el.noticeTarget.required = scope !== "site";
  }

  // --- Keeping up with the queue -------------------------------------------------

  function receive(update) {
    if (update.kind === "snapshot") return applySnapshot(update);
    if (state.seq !== null && update.seq > state.seq + 1) return resync(); // we missed one
    if (update.kind === "presence") {
      state.devices = update.devices;
      return renderSoon();
    }
    if (state.seq === null || update.seq <= state.seq) return; // already in the snapshot
    applyChange(update);
    if (update.kind === "called") refreshAccuracySoon();
  }

  function applySnapshot(snapshot) {
    state.seq = snapshot.seq;
    state.site = snapshot.site;
    state.services = snapshot.services;
    state.rooms = snapshot.rooms;
    state.notices = snapshot.notices;
    state.devices = snapshot.devices || [];
    state.tickets = new Map(snapshot.tickets.map(function (t) { return [t.id, t]; }));
    renderSoon();
  }

  function applyChange(update) {
    state.seq = update.seq;
    update.tickets.forEach(function (ticket) {
      if (OPEN.indexOf(ticket.status) === -1) state.tickets.delete(ticket.id);
      else state.tickets.set(ticket.id, ticket);
    });
    // Tickets the change did not touch, whose place or estimate it moved.
    (update.places || []).forEach(function (place) {
      var known = state.tickets.get(place.id);
      if (known) state.tickets.set(place.id, Object.assign({}, known, place));
    });
    state.rooms = update.rooms;
    state.notices = update.notices;
    renderSoon();
  }

  // Today's accuracy changes only when someone is called, so it is fetched then (and
  // at start), not polled.
  var accuracyTimer = null;

  function refreshAccuracySoon() {
    if (accuracyTimer) return;
    accuracyTimer = setTimeout(function () {
      accuracyTimer = null;
      refreshAccuracy();
    }, ACCURACY_DELAY_MS);
  }

  function refreshAccuracy() {
    fetch(config.api + "/accuracy", { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (report) {
      if (report) showAccuracy(report.first);
    }, function () { /* offline: the connection banner says so already */ });
  }

  function showAccuracy(figures) {
    if (!figures || !figures.patients) {
      el.accuracy.textContent = strings.accuracy_none;
      return;
    }
    el.accuracy.textContent = fill(strings.accuracy, {
      share: Math.round(figures.within_10 * 100),
      coverage: Math.round(figures.coverage * 100),
      patients: figures.patients,
    });
  }

  function resync() {
    if (syncing) return;
    syncing = true;
    socket.emit("sync", {}, function (answer) {
      syncing = false;
      if (answer && answer.data) applySnapshot(answer.data);
      else if (answer && answer.error && answer.error.code === "login_required") goToLogin();
    });
  }

  function showConnected(connected) {
    el.connection.hidden = connected;
  }

  // A refused socket usually means the login ended; ask the API to be sure.
  function checkLoginThenRetry() {
    fetch("/api/me", { credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) goToLogin();
      else setTimeout(function () { socket.connect(); }, RETRY_MS);
    }, function () {
      setTimeout(checkLoginThenRetry, RETRY_MS);
    });
  }

  var socket = io({ auth: { staff: config.site }, transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    showConnected(true);
    refreshAccuracy();
  });
  socket.on("disconnect", function (reason) {
    showConnected(false);
    if (reason === "io server disconnect") checkLoginThenRetry(); // e.g. logged out elsewhere
  });
  socket.on("connect_error", function () {
    showConnected(false);
    if (!socket.active) checkLoginThenRetry();
  });
  socket.on("staff_update", receive);

  // --- Keyboard ------------------------------------------------------------------

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }

  // Single-letter shortcuts (shown on their buttons); never while typing or in a dialog.
  function onShortcut(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (!/^[a-z]$/.test(key)) return;
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target || target.disabled) return;
    event.preventDefault();
    target.click();
  }

  // --- Wiring --------------------------------------------------------------------

  function chooseRoom() {
    chosenRoom = el.room.value;
    store(ROOM_KEY, chosenRoom);
    var url = new URL(window.location.href);
    url.searchParams.set("room", chosenRoom);
    window.history.replaceState(null, "", url);
    showFeedback("");
    render();
  }

  el.room.addEventListener("change", chooseRoom);
  el.pauseRoom.addEventListener("click", togglePause);
  el.callNext.addEventListener("click", callNext);
  el.addForm.addEventListener("submit", addPatient);
  el.noticeForm.addEventListener("submit", postNotice);
  el.noticeScope.addEventListener("change", showNoticeTargets);
  document.addEventListener("keydown", onShortcut);
  setInterval(renderSoon, CLOCK_TICK_MS);
  restartIdleTimer();
})();
