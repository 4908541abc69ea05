import { test } from "node:test";
import assert from "node:assert/strict";

import { keyBytes } from "../../static/js/phone/push.js";

test("the VAPID public key (base64url, no padding) becomes the 65 bytes PushManager takes", () => {
  // A P-256 public key as `waitroom vapid-keys` prints it: an uncompressed point.
  const key = "BKRPw9jAGxOSKBQJi_PCJeJm2eylCjR6eU_S3y7V4-B4iZ0GgYUtbZVtm5-4NNn9hBXvlaN7YH2crPr1e7q58s0";
  const bytes = keyBytes(key);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(bytes.length, 65);
  assert.equal(bytes[0], 4);
  assert.equal(Buffer.from(bytes).toString("base64url"), key);
});
