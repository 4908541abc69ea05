// JSON over HTTP to our own API, once: the same headers, timeout and error shape for
// every page.
//
// The API answers errors as {"error": {"code", "message", "details"?}}
// (server/api/errors.py); every failure becomes an ApiError, with status 0 when no
// answer came (network down, or no answer within the timeout).
//
// CSRF: the API takes only `Content-Type: application/json` bodies, which another site
// cannot send without a CORS preflight we never grant, and the session cookie is
// SameSite=Lax. A page that also carries <meta name="csrf-token"> sends it as
// X-CSRFToken (Flask-WTF's header) with every change.

export const REQUEST_TIMEOUT_MS = 15000; // no answer by then: say so, rather than wait forever

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = "ApiError";
    this.status = status; // 0: no answer at all
    this.code = code;
    this.details = details;
  }
}

/* The ApiError for an answer with this status and (parsed, possibly null) body. */
export function apiError(status, body) {
  const error = body && typeof body.error === "object" && body.error ? body.error : {};
  const code = typeof error.code === "string" ? error.code : "http_" + status;
  const message = typeof error.message === "string" ? error.message : "";
  return new ApiError(status, code, message, error.details);
}

/* The ApiError for a request that got no answer: "timeout" or "network". */
export function noAnswer(error) {
  const timedOut = error && error.name === "TimeoutError";
  return new ApiError(0, timedOut ? "timeout" : "network", "");
}

/* url + "?" + the values that are set: withQuery("/r", {to: "x", lang: ""}) -> "/r?to=x". */
export function withQuery(url, values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value) params.set(name, value);
  }
  const query = params.toString();
  return query ? url + "?" + query : url;
}

/* Sends one request; answers the parsed JSON body ({} for 204) or throws ApiError. */
export async function requestJson(url, options = {}) {
  const { method = "GET", body, timeoutMs = REQUEST_TIMEOUT_MS, headers = {} } = options;
  const fetcher = options.fetch || globalThis.fetch;
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json", ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") Object.assign(init.headers, csrfHeader());
  let response;
  try {
    response = await fetcher(url, init);
  } catch (error) {
    throw noAnswer(error);
  }
  const answer = response.status === 204 ? {} : await response.json().catch(() => null);
  if (!response.ok) throw apiError(response.status, answer);
  // A success whose body did not arrive whole (cut off, or timed out) is no answer.
  if (answer === null) throw new ApiError(0, "network", "");
  return answer;
}

export function getJson(url, options = {}) {
  return requestJson(url, { ...options, method: "GET" });
}

export function postJson(url, body = {}, options = {}) {
  return requestJson(url, { ...options, method: "POST", body });
}

function csrfHeader() {
  const meta = globalThis.document?.querySelector('meta[name="csrf-token"]');
  return meta ? { "X-CSRFToken": meta.content } : {};
}
