// Unit test of the sealing in public/outbox.js (run: node --test end2end/unit/).
//
// outbox.js is a plain browser script; it is evaluated here in a bare `vm`
// context that has WebCrypto but no document or IndexedDB, so only its pure
// seal() is live (start() skips every trigger without IndexedDB). The test
// then opens the envelope the way app/src/sealing.rs does, with Node's
// WebCrypto, to show the scheme is what the server expects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SOURCE_PATH = fileURLToPath(new URL("../../public/outbox.js", import.meta.url));
const SOURCE = readFileSync(SOURCE_PATH, "utf8");
const subtle = globalThis.crypto.subtle;
const INFO = "gruppenbuch-outbox-v1";
const ID = "01890a5d-ac96-774b-bcce-b302099a8057";

function loadOutbox() {
  const context = { crypto: globalThis.crypto, TextEncoder, TextDecoder, btoa, atob };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(SOURCE, context, { filename: "outbox.js" });
  return context.window.gbOutbox;
}

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const unb64url = (text) => new Uint8Array(Buffer.from(text, "base64url"));

async function serverKeyPair() {
  const pair = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const raw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, keySpec: `k1.${b64url(raw)}` };
}

// The server's side of the scheme, written independently of outbox.js.
async function open(privateKey, id, kind, env) {
  const epk = unb64url(env.epk);
  const peer = await subtle.importKey("raw", epk, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const shared = await subtle.deriveBits({ name: "ECDH", public: peer }, privateKey, 256);
  const ikm = await subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const key = await subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: epk, info: new TextEncoder().encode(INFO) },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["decrypt"],
  );
  const plain = await subtle.decrypt(
    { name: "AES-GCM", iv: unb64url(env.iv), additionalData: new TextEncoder().encode(`${id}|${kind}`) },
    key,
    unb64url(env.ct),
  );
  return new TextDecoder().decode(plain);
}

test("the envelope has the agreed shape", async () => {
  const outbox = loadOutbox();
  const { keySpec } = await serverKeyPair();
  const payload = JSON.stringify({ text: "Kevin war heute beim Fußball. 😊" });
  const env = await outbox.seal(keySpec, ID, "note", payload);

  assert.deepEqual(Object.keys(env).sort(), ["ct", "epk", "iv", "key_id"]);
  assert.equal(env.key_id, "k1");
  for (const field of ["epk", "iv", "ct"]) {
    assert.match(env[field], /^[A-Za-z0-9_-]+$/, `${field} is base64url without padding`);
  }
  const epk = unb64url(env.epk);
  assert.equal(epk.length, 65);
  assert.equal(epk[0], 4, "uncompressed point");
  assert.equal(unb64url(env.iv).length, 12);
  assert.equal(unb64url(env.ct).length, new TextEncoder().encode(payload).length + 16, "ciphertext + 16-byte tag");
  assert.ok(!env.ct.includes(b64url(new TextEncoder().encode("Kevin"))));
});

test("the server key opens it; a changed id or kind does not", async () => {
  const outbox = loadOutbox();
  const { privateKey, keySpec } = await serverKeyPair();
  const payload = JSON.stringify({ youth_id: 7, text: "Besuch der Mutter, ruhig verlaufen." });
  const env = await outbox.seal(keySpec, ID, "visit", payload);

  assert.equal(await open(privateKey, ID, "visit", env), payload);
  const otherId = ID.replace(/7$/, "8");
  await assert.rejects(open(privateKey, otherId, "visit", env));
  await assert.rejects(open(privateKey, ID, "note", env));
  const flipped = unb64url(env.ct);
  flipped[0] ^= 1;
  await assert.rejects(open(privateKey, ID, "visit", { ...env, ct: b64url(flipped) }));
  const other = await serverKeyPair();
  await assert.rejects(open(other.privateKey, ID, "visit", env));
});

test("every seal uses a fresh ephemeral key and iv", async () => {
  const outbox = loadOutbox();
  const { keySpec } = await serverKeyPair();
  const a = await outbox.seal(keySpec, ID, "note", "same");
  const b = await outbox.seal(keySpec, ID, "note", "same");
  assert.notEqual(a.epk, b.epk);
  assert.notEqual(a.iv, b.iv);
  assert.notEqual(a.ct, b.ct);
});

test("a malformed key is refused", async () => {
  const outbox = loadOutbox();
  const { keySpec } = await serverKeyPair();
  const pub = keySpec.slice(3);
  const raw = unb64url(pub);
  const compressed = new Uint8Array(33);
  compressed[0] = 2 + (raw[64] & 1);
  compressed.set(raw.subarray(1, 33), 1);
  const offCurve = raw.slice();
  offCurve[64] ^= 1;
  for (const bad of ["", "nodot", `.${pub}`, "k1.", "k1.AAAA", `k1.${pub}=`, `k1.${b64url(compressed)}`, `k1.${b64url(offCurve)}`]) {
    await assert.rejects(outbox.seal(bad, ID, "note", "x"), undefined, `refused: ${bad.slice(0, 12)}`);
  }
});

test("outbox.js writes nothing to the console and never to Web Storage", () => {
  assert.doesNotMatch(SOURCE, /\bconsole\./);
  assert.doesNotMatch(SOURCE, /(localStorage|sessionStorage)\.setItem/);
});
