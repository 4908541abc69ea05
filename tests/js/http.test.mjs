import { test } from "node:test";
import assert from "node:assert/strict";

import { ApiError, apiError, getJson, noAnswer, postJson, withQuery } from "../../static/js/lib/http.js";

function answering(status, body) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return {
      status,
      ok: status >= 200 && status < 300,
      json: async () => (typeof body === "string" ? JSON.parse(body) : body),
    };
  };
  return { fetch, calls };
}

test("the API's error shape becomes an ApiError with its status, code and message", () => {
  const error = apiError(409, { error: { code: "already_checked_in", message: "You are checked in." } });
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 409);
  assert.equal(error.code, "already_checked_in");
  assert.equal(error.message, "You are checked in.");
});

test("an answer without the error shape still gives a code, and no message", () => {
  assert.deepEqual([apiError(502, null).code, apiError(502, null).message], ["http_502", ""]);
  assert.equal(apiError(500, { error: "text" }).code, "http_500");
  const details = [{ field: "service", problem: "Field required" }];
  assert.deepEqual(apiError(400, { error: { code: "invalid_input", message: "No.", details } }).details, details);
});

test("no answer is status 0: a timeout or a network failure", () => {
  const timeout = new DOMException("signal timed out", "TimeoutError");
  assert.deepEqual([noAnswer(timeout).status, noAnswer(timeout).code], [0, "timeout"]);
  assert.deepEqual([noAnswer(new TypeError("Failed to fetch")).status, noAnswer(new TypeError()).code], [0, "network"]);
});

test("postJson sends JSON with the same-origin cookie, no cache and a timeout", async () => {
  const server = answering(201, { ticket: { number: "A-1" } });
  const answer = await postJson("/api/x", { service: "A" }, { fetch: server.fetch });
  assert.deepEqual(answer, { ticket: { number: "A-1" } });
  const { url, init } = server.calls[0];
  assert.equal(url, "/api/x");
  assert.equal(init.method, "POST");
  assert.equal(init.body, '{"service":"A"}');
  assert.equal(init.headers["Content-Type"], "application/json");
  assert.equal(init.credentials, "same-origin");
  assert.equal(init.cache, "no-store");
  assert.ok(init.signal instanceof AbortSignal);
});

test("getJson sends no body and no Content-Type", async () => {
  const server = answering(200, { ok: true });
  await getJson("/api/y", { fetch: server.fetch });
  assert.equal(server.calls[0].init.method, "GET");
  assert.equal(server.calls[0].init.body, undefined);
  assert.equal(server.calls[0].init.headers["Content-Type"], undefined);
});

test("a refusal throws the API's error", async () => {
  const server = answering(404, { error: { code: "not_found", message: "No such ticket." } });
  await assert.rejects(getJson("/api/t", { fetch: server.fetch }), { status: 404, code: "not_found", message: "No such ticket." });
});

test("a failed fetch or a success with no whole body throws status 0", async () => {
  const down = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(getJson("/api/t", { fetch: down }), { status: 0, code: "network" });
  const cut = answering(200, "{not json");
  await assert.rejects(getJson("/api/t", { fetch: cut.fetch }), { status: 0 });
});

test("the timeout aborts a request that gets no answer", async () => {
  const never = (url, init) =>
    new Promise((resolve, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
  // AbortSignal.timeout's timer does not hold Node's event loop open; this one does, so
  // the runner waits for the abort instead of cancelling the test.
  const keepAlive = setTimeout(() => {}, 1000);
  try {
    await assert.rejects(getJson("/api/slow", { fetch: never, timeoutMs: 20 }), { status: 0, code: "timeout" });
  } finally {
    clearTimeout(keepAlive);
  }
});

test("withQuery adds only the values that are set", () => {
  assert.equal(withQuery("/api/route", { from: "k1", to: "lab", mode: "", lang: "es" }), "/api/route?from=k1&to=lab&lang=es");
  assert.equal(withQuery("/api/route", {}), "/api/route");
});
