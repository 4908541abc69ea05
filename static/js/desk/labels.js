// Names and times as the console shows them: services and rooms in the page's language,
// clock times in the site's time zone. No DOM; reads the queue as it is now.
import { nameIn } from "../lib/texts.js";
import { roomByCode, serviceByPrefix } from "./queue.js";

export function makeLabels(queue, language) {
  const nameOf = (names) => nameIn(names, language);
  const serviceName = (prefix) => {
    const service = serviceByPrefix(queue, prefix);
    return service ? nameOf(service.names) : prefix;
  };
  const roomName = (code) => {
    const room = roomByCode(queue, code);
    return room ? nameOf(room.names) : code;
  };
  const clockTime = (iso) => {
    if (!iso) return "";
    const options = { hour: "2-digit", minute: "2-digit" };
    if (queue.site && queue.site.timezone) options.timeZone = queue.site.timezone;
    return new Date(iso).toLocaleTimeString(language, options);
  };
  return { nameOf, serviceName, roomName, clockTime };
}
