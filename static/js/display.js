// The waiting-room display: shows and announces calls, waits and delays.
//
// It runs unattended for weeks, so: everything it draws is rebuilt from the latest
// state (the DOM never grows), it keeps no history beyond the last call id, and it
// reconnects and resyncs by itself. It only ever receives display-safe data.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("display-config").textContent);
  var strings = config.strings;

  var MAX_RECENT = 6;               // calls listed under "Now calling"
  var MAX_QUEUED_ANNOUNCEMENTS = 4; // after an outage, say only the latest few calls
  var CHIME_TIMEOUT_MS = 3000;      // some browsers never fire "ended" without a speaker
  var SPEECH_TIMEOUT_MS = 15000;    // ... nor "end" for speech
  var RETRY_REFUSED_MS = 10000;     // the server refused us (e.g. it is still starting)
  var SOUND_KEY = "waitroom.display.sound";

  var el = {
    connection: document.getElementById("connection-text"),
    clock: document.getElementById("clock"),
    nowCall: document.getElementById("now-call"),
    nowNumber: document.getElementById("now-number"),
    nowRoom: document.getElementById("now-room"),
    nowHint: document.getElementById("now-hint"),
    nowRoomOther: document.getElementById("now-room-other"),
    recent: document.getElementById("recent-calls"),
    waits: document.getElementById("service-waits"),
    noticesSection: document.getElementById("notices-section"),
    notices: document.getElementById("notices"),
    soundSetup: document.getElementById("sound-setup"),
    enableSound: document.getElementById("enable-sound"),
    soundStatus: document.getElementById("sound-status"),
    chime: document.getElementById("chime"),
  };

  var lastSeq = null;     // the seq of the state on screen
  var lastCallId = null;  // the newest call already shown (and announced, if sound is on)
  var syncing = false;

  // --- What this display shows ---------------------------------------------------

  var shownServices = config.shown_services ? new Set(config.shown_services) : null;

  function serviceShown(prefix) {
    return shownServices === null || shownServices.has(prefix);
  }

  function noticeShown(notice) {
    if (notice.scope === "service") return serviceShown(notice.service);
    if (notice.scope === "room") {
      var room = config.rooms[notice.room];
      return !room || shownServices === null || room.services.some(serviceShown);
    }
    return true;
  }

  // --- Words ---------------------------------------------------------------------

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function inLanguage(names, language) {
    if (!names) return "";
    return names[language] || names[config.language] || Object.values(names)[0] || "";
  }

  function roomName(room, language) {
    return room ? inLanguage(room.names, language) : "";
  }

  // "Room 3, Level 1, take the elevator": made by the server in each of the site's
  // languages (none when the site has no map).
  function hintFor(call, language) {
    return (call.hints && call.hints[language]) || "";
  }

  function serviceName(prefix) {
    var service = config.services.find(function (s) { return s.prefix === prefix; });
    return service ? inLanguage(service.names, config.language) : prefix;
  }

  var plural = new Intl.PluralRules(config.language);

  function waitingText(count) {
    var form = plural.select(count) === "one" ? strings.waiting_one : strings.waiting_other;
    return fill(form, { count: count });
  }

  function typicalWaitText(minutes) {
    return minutes > 0 ? fill(strings.about_minutes, { minutes: minutes }) : strings.no_wait;
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- Drawing -------------------------------------------------------------------

  function render(state) {
    var calls = state.calls.filter(function (c) { return serviceShown(c.service); });
    renderNow(calls[0]);
    renderRecent(calls.slice(1, 1 + MAX_RECENT));
    renderWaits(state.services.filter(function (s) { return serviceShown(s.prefix); }));
    renderNotices(state.notices.filter(noticeShown));
  }

  function renderNow(call) {
    var previous = el.nowCall.dataset.callId;
    if (!call) {
      el.nowNumber.textContent = "–";
      el.nowRoom.textContent = strings.nobody_called;
      el.nowHint.textContent = "";
      el.nowRoomOther.textContent = "";
      delete el.nowCall.dataset.callId;
      return;
    }
    el.nowNumber.textContent = call.number;
    el.nowRoom.textContent = roomName(call.room, config.language);
    el.nowHint.textContent = hintFor(call, config.language);
    // The room (its hint, where there is one) in the site's other languages too, for
    // patients who read those better.
    var others = config.site.languages
      .filter(function (lang) { return lang !== config.language; })
      .map(function (lang) { return hintFor(call, lang) || roomName(call.room, lang); })
      .filter(function (name) {
        return name && name !== el.nowRoom.textContent && name !== el.nowHint.textContent;
      });
    el.nowRoomOther.textContent = others.join(" · ");
    el.nowCall.dataset.callId = String(call.id);
    if (previous !== undefined && previous !== String(call.id)) flash(el.nowCall);
  }

  function flash(node) {
    node.classList.remove("fresh");
    void node.offsetWidth; // restart the animation
    node.classList.add("fresh");
  }

  function renderRecent(calls) {
    el.recent.replaceChildren.apply(el.recent, calls.map(function (call) {
      var item = make("li", "recent-call");
      item.dataset.callId = String(call.id);
      item.append(make("span", "recent-number", call.number));
      item.append(make("span", "recent-room", roomName(call.room, config.language)));
      var hint = hintFor(call, config.language);
      if (hint) item.append(make("span", "recent-hint", hint));
      if (call.recall) item.append(make("span", "recent-recall", strings.recall));
      return item;
    }));
  }

  function renderWaits(services) {
    el.waits.replaceChildren.apply(el.waits, services.map(function (service) {
      var row = make("tr");
      row.dataset.service = service.prefix;
      var name = make("th", "wait-service", inLanguage(service.names, config.language));
      name.scope = "row";
      row.append(name);
      row.append(make("td", "wait-count", waitingText(service.waiting)));
      row.append(make("td", "wait-time", typicalWaitText(service.typical_wait)));
      return row;
    }));
  }

  function noticeTitle(notice) {
    if (notice.scope === "service") {
      return fill(strings.notice_service, { target: serviceName(notice.service) });
    }
    if (notice.scope === "room") {
      var room = config.rooms[notice.room];
      return fill(strings.notice_room, { target: room ? roomName(room, config.language) : notice.room });
    }
    return strings.notice_site;
  }

  function renderNotices(notices) {
    el.noticesSection.hidden = notices.length === 0;
    el.notices.replaceChildren.apply(el.notices, notices.map(function (notice) {
      var item = make("li", "notice");
      item.append(make("p", "notice-title", noticeTitle(notice)));
      item.append(make("p", "notice-reason", notice.reason));
      item.append(make("p", "notice-extra", fill(strings.notice_extra, { minutes: notice.expected_minutes })));
      return item;
    }));
  }

  function renderClock() {
    el.clock.textContent = new Date().toLocaleTimeString(config.language, {
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  // --- Updates -------------------------------------------------------------------

  function receive(update) {
    if (update.kind === "snapshot") return applySnapshot(update);
    if (lastSeq !== null && update.seq <= lastSeq) return; // already in what we show
    if (lastSeq === null || update.seq > lastSeq + 1) return resync(); // we missed one
    apply(update);
  }

  function applySnapshot(snapshot) {
    // A lower seq means the server's database was reset: start afresh, say nothing old.
    if (lastSeq !== null && snapshot.seq < lastSeq) lastCallId = null;
    apply(snapshot);
  }

  function apply(update) {
    lastSeq = update.seq;
    render(update.state);
    announceNewCalls(update.state.calls);
  }

  function resync() {
    if (syncing) return;
    syncing = true;
    socket.emit("sync", {}, function (answer) {
      syncing = false;
      if (answer && answer.data) applySnapshot(answer.data);
    });
  }

  // Calls are announced by their ids rather than by each update's `announce`, so that a
  // call that arrived inside a resync snapshot (after a gap or a reconnect) is still
  // announced, and a recall (a new call id) is announced again.
  function announceNewCalls(calls) {
    var newest = calls.reduce(function (max, c) { return Math.max(max, c.id); }, 0);
    if (lastCallId === null) {
      lastCallId = newest; // the calls already on screen when the page opened
      return;
    }
    var fresh = calls
      .filter(function (c) { return c.id > lastCallId && serviceShown(c.service); })
      .sort(function (a, b) { return a.id - b.id; });
    lastCallId = Math.max(lastCallId, newest);
    fresh.forEach(queueAnnouncement);
  }

  // --- Sound ---------------------------------------------------------------------

  var announcements = [];
  var announcing = false;

  function soundEnabled() {
    try {
      return window.localStorage.getItem(SOUND_KEY) === "on";
    } catch (error) {
      return false;
    }
  }

  function rememberSoundEnabled() {
    try {
      window.localStorage.setItem(SOUND_KEY, "on");
    } catch (error) {
      // Private mode: sound works until the page reloads.
    }
  }

  function showSoundSetup(message) {
    el.soundSetup.hidden = false;
    el.soundStatus.textContent = message || "";
  }

  function enableSound() {
    rememberSoundEnabled();
    el.soundSetup.hidden = true;
    // This click is the interaction browsers wait for: play once to unlock audio.
    el.chime.play().catch(function () { /* no speaker: speech may still work */ });
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  }

  function queueAnnouncement(call) {
    if (!soundEnabled()) return;
    if (announcements.length >= MAX_QUEUED_ANNOUNCEMENTS) announcements.shift();
    announcements.push(call);
    if (!announcing) announceNext();
  }

  function announceNext() {
    var call = announcements.shift();
    if (!call) {
      announcing = false;
      return;
    }
    announcing = true;
    var languages = Object.keys(config.speech);
    playChime()
      .then(function () {
        return languages.reduce(function (done, language) {
          return done.then(function () { return say(spokenCall(call, language), language); });
        }, Promise.resolve());
      })
      .then(announceNext, announceNext);
  }

  function spokenCall(call, language) {
    return fill(config.speech[language], { number: call.spoken, room: roomName(call.room, language) });
  }

  function playChime() {
    return new Promise(function (resolve) {
      var listening = new AbortController();
      var timer = setTimeout(done, CHIME_TIMEOUT_MS);
      function done() {
        clearTimeout(timer);
        listening.abort();
        resolve();
      }
      el.chime.addEventListener("ended", done, { signal: listening.signal });
      el.chime.addEventListener("error", done, { signal: listening.signal });
      el.chime.currentTime = 0;
      el.chime.play().catch(function (error) {
        if (error && error.name === "NotAllowedError") showSoundSetup(strings.sound_blocked);
        done();
      });
    });
  }

  function say(text, language) {
    return new Promise(function (resolve) {
      if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
        return resolve();
      }
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = language;
      utterance.rate = 0.9;
      var voice = voiceFor(language);
      if (voice) utterance.voice = voice;
      var timer = setTimeout(finish, SPEECH_TIMEOUT_MS);
      function finish() {
        clearTimeout(timer);
        utterance.onend = utterance.onerror = null;
        resolve();
      }
      utterance.onend = finish;
      utterance.onerror = finish;
      window.speechSynthesis.speak(utterance);
    });
  }

  function voiceFor(language) {
    var voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
    return voices.find(function (v) { return v.lang && v.lang.toLowerCase().indexOf(language) === 0; });
  }

  // --- Connection ----------------------------------------------------------------

  function showConnected(connected) {
    el.connection.hidden = connected;
  }

  var auth = { display: config.site.slug };
  if (config.device && config.device.code) auth.device = config.device.code;

  // WebSocket first, long-polling if a proxy blocks it. The client retries by itself
  // after a network drop; a refused connection it leaves to us (retryRefused).
  // Retries back off to 3 s at most (Socket.IO's default is 5 s): a TV should be back
  // soon after the server, and a few hundred screens retrying is still little load.
  var socket = io({
    auth: auth,
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 3000,
  });
  socket.on("connect", function () { showConnected(true); });
  socket.on("disconnect", function () { showConnected(false); });
  socket.on("connect_error", function () {
    showConnected(false);
    if (!socket.active) setTimeout(function () { socket.connect(); }, RETRY_REFUSED_MS);
  });
  socket.on("display_update", receive);

  el.enableSound.addEventListener("click", enableSound);
  if (soundEnabled()) el.soundSetup.hidden = true;
  renderClock();
  setInterval(renderClock, 15000);
})();
