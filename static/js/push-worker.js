/* The phone page's service worker (served at /t/push-worker.js, scope /t/): it shows a
 * push from the server as a notification, and a tap on it opens the ticket's page.
 *
 * A push's data is JSON: {title, body, url, tag} (server/services/notifications.py).
 * A newer message about the same ticket (same tag) replaces the older one on screen.
 */
/* global clients */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(clients.claim()));

self.addEventListener("push", (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data.text() };
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "", {
      body: message.body || "",
      tag: message.tag,
      renotify: Boolean(message.tag),
      requireInteraction: true,
      data: { url: message.url || "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(openPage(url));
});

/* The ticket's page: the tab that shows it already, else a new one. */
async function openPage(url) {
  const open = await clients.matchAll({ type: "window", includeUncontrolled: true });
  const page = open.find((client) => client.url === url);
  if (page) return page.focus();
  return clients.openWindow(url);
}
