// The desk's copy of the site's queue, as the staff socket reports it, and the questions
// the console asks of it. Pure: nothing here touches the page.

// A ticket in any other status has left today's queue.
const OPEN = new Set(["waiting", "called", "in_service", "no_show"]);

export function emptyQueue() {
  return {
    seq: null,
    site: null,
    services: [],
    rooms: [],
    tickets: new Map(), // id -> staff view of every open ticket of today
    notices: [],
    devices: [],
  };
}

export function applySnapshot(queue, snapshot) {
  queue.seq = snapshot.seq;
  queue.site = snapshot.site;
  queue.services = snapshot.services;
  queue.rooms = snapshot.rooms;
  queue.notices = snapshot.notices;
  queue.devices = snapshot.devices || [];
  queue.tickets = new Map(snapshot.tickets.map((ticket) => [ticket.id, ticket]));
}

export function applyChange(queue, update) {
  queue.seq = update.seq;
  for (const ticket of update.tickets) {
    if (OPEN.has(ticket.status)) queue.tickets.set(ticket.id, ticket);
    else queue.tickets.delete(ticket.id);
  }
  // Tickets the change did not touch, whose place or estimate it moved.
  for (const place of update.places || []) {
    const known = queue.tickets.get(place.id);
    if (known) queue.tickets.set(place.id, { ...known, ...place });
  }
  queue.rooms = update.rooms;
  queue.notices = update.notices;
}

export function serviceByPrefix(queue, prefix) {
  return queue.services.find((service) => service.prefix === prefix);
}

export function roomByCode(queue, code) {
  return queue.rooms.find((room) => room.code === code);
}

// The server's call order (server/domain/queue.py call_order_key): priority first,
// then the place earned, then arrival, then id. ISO times in UTC sort as text.
export function inCallOrder(a, b) {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.queue_at !== b.queue_at) return a.queue_at < b.queue_at ? -1 : 1;
  if (a.arrived_at !== b.arrived_at) return a.arrived_at < b.arrived_at ? -1 : 1;
  return a.id - b.id;
}

export function newestCallFirst(a, b) {
  return (b.called_at || "").localeCompare(a.called_at || "");
}

export function minutesSince(iso, now = Date.now()) {
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
}

function servedBy(room, ticket) {
  return Boolean(room) && room.services.includes(ticket.service.prefix);
}

function ticketsWhere(queue, test) {
  return Array.from(queue.tickets.values()).filter(test);
}

export function waitingFor(queue, room) {
  return ticketsWhere(queue, (t) => t.status === "waiting" && servedBy(room, t)).sort(inCallOrder);
}

// Newest call first: it is the one the shortcuts act on.
export function calledTo(queue, roomCode) {
  const inTheRoom = (t) => Boolean(t.room) && t.room.code === roomCode;
  const isCurrent = (t) => (t.status === "called" || t.status === "in_service") && inTheRoom(t);
  return ticketsWhere(queue, isCurrent).sort(newestCallFirst);
}

export function missedFor(queue, room) {
  return ticketsWhere(queue, (t) => t.status === "no_show" && servedBy(room, t)).sort(newestCallFirst);
}

// A waiting ticket cannot be sent to the line it already waits in.
export function transferTargets(queue, ticket) {
  return queue.services.filter((s) => s.prefix !== ticket.service.prefix || ticket.status !== "waiting");
}
