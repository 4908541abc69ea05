// Which calls are "now calling" and which are recent. Pure: no DOM, tested in Node.

export const TOGETHER_MS = 10000; // calls this close to the newest are "now calling" with it
export const MAX_NOW = 3; // side by side at most
export const MAX_RECENT = 6;

/* {now, recent} from `calls` (newest first, as the server sends them): the newest call
 * and those made within `togetherMs` before it (up to `maxNow`) are now calling, side by
 * side; the next `maxRecent` are recent. A call without a time is never grouped. */
export function splitCalls(calls, { togetherMs = TOGETHER_MS, maxNow = MAX_NOW, maxRecent = MAX_RECENT } = {}) {
  if (calls.length === 0) return { now: [], recent: [] };
  const newest = Date.parse(calls[0].at);
  let count = 1;
  while (count < Math.min(maxNow, calls.length) && closeTo(newest, calls[count].at, togetherMs)) {
    count += 1;
  }
  return { now: calls.slice(0, count), recent: calls.slice(count, count + maxRecent) };
}

function closeTo(newest, at, togetherMs) {
  const moment = Date.parse(at);
  return Number.isFinite(newest) && Number.isFinite(moment) && newest - moment <= togetherMs;
}
