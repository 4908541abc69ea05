// The live connection, once: Socket.IO with `auth`, sequence numbers, `sync` with a
// re-entry guard, resync when the page is seen again, and a connection state.
//
// Every queue state the server publishes carries the site's sequence number `seq`.
// On (re)connecting the server sends a snapshot by itself (server/realtime/handlers.py),
// so reconnecting needs no request of ours; a gap in `seq`, or a page that comes back
// from sleep, asks for one with `sync`.
//
// Two kinds of room:
// - gapMeansMissed: true (display:<site>, staff:<site>): the room hears every change, so
//   a gap means we missed one; a snapshot replaces what is shown, even one with a lower
//   seq (the server's database was reset).
// - gapMeansMissed: false (ticket:<id>, or a kiosk that only wants the waits): the room
//   hears only some changes, so gaps are normal; only an older message is dropped.

const SYNC_TIMEOUT_MS = 15000;

/* What to do with a message: "apply" it (and take its seq), "skip" it (already shown),
 * "resync" (we missed something), or "pass" it on without taking its seq (a message
 * that is not a queue change and carries the current seq, like the desks' presence). */
export function nextStep(lastSeq, seq, { gapMeansMissed, snapshot = false, unsequenced = false }) {
  if (snapshot && gapMeansMissed) return "apply";
  if (unsequenced) {
    return gapMeansMissed && lastSeq !== null && seq > lastSeq + 1 ? "resync" : "pass";
  }
  if (lastSeq === null) return gapMeansMissed ? "resync" : "apply";
  if (gapMeansMissed) {
    if (seq <= lastSeq) return "skip";
    return seq > lastSeq + 1 ? "resync" : "apply";
  }
  return seq < lastSeq ? "skip" : "apply";
}

/* Connects, and keeps the page's state whole.
 *
 * - auth: the connect payload ({ticket}, {display, device?} or {staff}).
 * - updates: {eventName: handler(update, previousSeq)} for the events the room hears.
 *   An update with kind "snapshot" goes to onSnapshot instead. A handler that returns
 *   false did not use the update, and its seq is not taken.
 * - onSnapshot(snapshot, previousSeq): a whole state (from an event, a `sync` answer,
 *   or the page itself through receiveSnapshot).
 * - gapMeansMissed: see above. unsequencedKinds: update kinds passed on as they come.
 * - onState("live" | "reconnecting" | "refused"): refused means the server said no (a
 *   connect_error with the socket no longer trying, or the server disconnected us);
 *   the socket then stays down until the page calls socket.connect().
 * - onSyncError(error): `sync` was answered with {error: {code, message}}.
 * - socketOptions: more io() options (e.g. reconnectionDelayMax).
 *
 * Answers {socket, resync, receiveSnapshot, close}; close() stops for good (the page
 * hears nothing more, not even the disconnect).
 */
export function connectLive(options) {
  const {
    auth,
    updates = {},
    onSnapshot = () => {},
    onState = () => {},
    onSyncError = () => {},
    gapMeansMissed = true,
    unsequencedKinds = [],
    socketOptions = {},
  } = options;
  const openSocket = options.openSocket || ((settings) => globalThis.io(settings));
  const page = "page" in options ? options.page : globalThis.document;

  // WebSocket first, long-polling if a proxy blocks it.
  const socket = openSocket({ auth, transports: ["websocket", "polling"], ...socketOptions });
  let lastSeq = null;
  let syncing = false;
  let closed = false;

  function receive(message, handler, snapshot) {
    if (closed) return;
    const unsequenced = unsequencedKinds.includes(message.kind);
    const step = nextStep(lastSeq, message.seq, { gapMeansMissed, snapshot, unsequenced });
    if (step === "skip") return;
    if (step === "resync") return resync();
    if (step === "pass") return void handler(message, lastSeq);
    if (handler(message, lastSeq) !== false) lastSeq = message.seq;
  }

  function receiveSnapshot(snapshot) {
    receive(snapshot, onSnapshot, true);
  }

  /* Ask for a snapshot, unless one is on its way already. */
  function resync() {
    if (syncing || closed || !socket.connected) return; // connecting brings a snapshot
    syncing = true;
    socket.timeout(SYNC_TIMEOUT_MS).emit("sync", {}, (timedOut, answer) => {
      syncing = false;
      if (timedOut || closed) return;
      if (answer && answer.data) receiveSnapshot(answer.data);
      else if (answer && answer.error) onSyncError(answer.error);
    });
  }

  function report(state) {
    if (!closed) onState(state);
  }

  for (const [event, handler] of Object.entries(updates)) {
    socket.on(event, (message) => {
      if (message && message.kind === "snapshot") receiveSnapshot(message);
      else if (message) receive(message, handler, false);
    });
  }
  socket.on("connect", () => report("live"));
  socket.on("disconnect", (reason) => {
    syncing = false; // its answer, if any, is lost with the connection
    report(reason === "io server disconnect" ? "refused" : "reconnecting");
  });
  socket.on("connect_error", () => report(socket.active ? "reconnecting" : "refused"));

  // A page that slept (a phone in a pocket) may not have noticed its connection died.
  if (page) {
    page.addEventListener("visibilitychange", () => {
      if (page.visibilityState !== "visible" || closed) return;
      if (socket.connected) resync();
      else socket.connect();
    });
  }

  function close() {
    closed = true;
    socket.disconnect();
  }

  return { socket, resync, receiveSnapshot, close };
}
