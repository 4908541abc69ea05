// The site's screens and kiosks, and whether each is connected now (the presence the
// staff socket reports).
import { byId, make } from "../lib/dom.js";

function deviceName(t, device) {
  if (device.name) return device.name;
  return device.code ? t("unnamed", { code: device.code }) : t("no_code");
}

function deviceItem({ t, labels }, device) {
  const item = make("li", device.connected ? "device connected" : "device missing");
  const kind = t(`kind_${device.kind || "unknown"}`) || device.kind;
  const status = device.connected
    ? t("connected_since", { time: labels.clockTime(device.since) })
    : t("not_connected");
  item.append(
    make("span", "device-name", deviceName(t, device)),
    make("span", "device-kind", kind),
    make("span", "device-status", status)
  );
  return item;
}

export function renderDevices(desk) {
  const { devices } = desk.queue;
  const list = byId("device-list");
  if (!devices.length) list.replaceChildren(make("li", "hint", desk.t("no_devices")));
  else list.replaceChildren(...devices.map((device) => deviceItem(desk, device)));
}
