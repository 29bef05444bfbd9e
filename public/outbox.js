/*
 * Gruppenbuch outbox (hand-written, no build step, no imports).
 *
 * An entry saved on the phone must survive a dead connection, a closed tab
 * and a flat battery, yet nobody holding the phone may read it back. So:
 *   - put() seals the entry to the server's public outbox key before it
 *     touches IndexedDB (ECDH P-256 with a fresh key pair per item, HKDF-SHA256,
 *     AES-GCM-256; the ephemeral private key is thrown away at once). Only the
 *     server can open it; the device cannot.
 *   - flush() posts the sealed items one by one, oldest first, to
 *     /api/outbox/deliver. Only a receipt (a 2xx answer) removes an item.
 *   - The plaintext lives only in memory for the few milliseconds of sealing.
 *     It is never written to IndexedDB, Web Storage or Cache Storage, and
 *     nothing about an entry is logged.
 *
 * The Rust side opens the envelope in app/src/sealing.rs; both must agree on
 * every byte (see seal() below). end2end/unit/seal.test.mjs runs seal() in
 * Node and checks it against the same scheme.
 *
 * Defines window.gbOutbox = { put, flush, stats, list, clearReadable, seal }.
 */
"use strict";

// ------------------------------------------------------------------ constants

const DB_NAME = "gruppenbuch-outbox";
const DB_VERSION = 1;
const ITEMS = "items"; // sealed entries, keyed by their id
const META = "meta"; // last_sent_at, needs_login (nothing personal)

const DELIVER_URL = "/api/outbox/deliver";
// Where each kind goes; entries (note, visit, talk) go to DELIVER_URL. A young person's
// submission has its own endpoint because it may come without a session (a group's
// public link); so have incidents, Kinderschutz observations and a young person's view
// for their Hilfeplangespräch.
const DELIVER_URLS = {
  feedback: "/api/feedback/deliver",
  incident: "/api/incidents/deliver",
  observation: "/api/protection/deliver",
  hpg_view: "/api/reports/deliver-view",
};
const KEY_META = 'meta[name="gb-outbox-key"]';
const INFO = "gruppenbuch-outbox-v1"; // HKDF info; bump with the scheme
const LOCK = "gb-outbox-flush"; // one flush across all tabs
const CHANNEL = "gb-outbox"; // tells other tabs to refresh their badge
const CHANGE_EVENT = "gb-outbox-change";

const RETRY_MS = 30_000; // retry pending items this often while online
const SEND_TIMEOUT_MS = 30_000; // a hanging request must not hold the lock forever
const LOGOUT_REPLY_MS = 2_000; // how long clearReadable waits for the worker
const MAX_ERROR_BODY = 8_192; // a server error text is short; cap what we keep

// Ids are UUIDs; kinds are short lowercase words. Checked because both go into
// the authenticated data `${id}|${kind}`, where a "|" would make it ambiguous.
const ID_RE = /^[0-9a-fA-F-]{36}$/;
const KIND_RE = /^[a-z_]{1,32}$/;

const encoder = new TextEncoder();

// ------------------------------------------------------------------ sealing

function b64urlEncode(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("bad-key");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// The imported server key, kept per key text: importing costs a few
// milliseconds and put() should stay well under 50 ms.
const serverKeys = new Map();

async function serverKey(keySpec) {
  const cached = serverKeys.get(keySpec);
  if (cached) return cached;
  // "KEYID.PUBKEY": the id names the server key pair (keys can be rotated; the
  // server keeps old private keys to open items sealed before the rotation).
  const dot = typeof keySpec === "string" ? keySpec.indexOf(".") : -1;
  if (dot <= 0) throw new Error("bad-key");
  const keyId = keySpec.slice(0, dot);
  const raw = b64urlDecode(keySpec.slice(dot + 1));
  // 65 bytes, 0x04 first: an uncompressed P-256 point, the only form agreed on.
  if (raw.length !== 65 || raw[0] !== 4) throw new Error("bad-key");
  const key = await crypto.subtle.importKey("raw", raw, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const entry = { keyId, key };
  serverKeys.set(keySpec, entry);
  return entry;
}

/**
 * Seals one payload to the server key. Pure apart from randomness: used by
 * put() and by the unit test. Returns { key_id, epk, iv, ct } (base64url).
 *
 * Scheme "gruppenbuch-outbox-v1" (app/src/sealing.rs opens it):
 *   shared = ECDH(ephemeral private, server public), 32 bytes (x-coordinate)
 *   key    = HKDF-SHA256(ikm = shared, salt = ephemeral public raw 65 bytes,
 *                        info = "gruppenbuch-outbox-v1") → AES-GCM-256
 *   ct     = AES-GCM(key, iv = 12 random bytes, aad = `${id}|${kind}`,
 *                    plaintext = UTF-8 payload), tag (16 bytes) appended
 * The aad binds the ciphertext to its id and kind, so the server cannot be
 * made to file a sealed note under another id or as another kind.
 */
async function seal(keySpec, id, kind, payload) {
  const subtle = crypto.subtle;
  const { keyId, key } = await serverKey(keySpec);
  // Not extractable: the private half can never leave WebCrypto, and it is
  // dropped when this function returns, so the device cannot decrypt later.
  const ephemeral = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const shared = await subtle.deriveBits({ name: "ECDH", public: key }, ephemeral.privateKey, 256);
  const epk = new Uint8Array(await subtle.exportKey("raw", ephemeral.publicKey));
  const ikm = await subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const aesKey = await subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: epk, info: encoder.encode(INFO) },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt"],
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(`${id}|${kind}`), tagLength: 128 },
    aesKey,
    encoder.encode(payload),
  );
  return { key_id: keyId, epk: b64urlEncode(epk), iv: b64urlEncode(iv), ct: b64urlEncode(new Uint8Array(ct)) };
}

// ---------------------------------------------------------------- IndexedDB

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(ITEMS)) db.createObjectStore(ITEMS, { keyPath: "id" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer page version upgrading the schema (in another tab) needs us
        // to let go; the next call opens again.
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
        };
        db.onclose = () => {
          dbPromise = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        dbPromise = null;
        reject(request.error || new Error("indexeddb"));
      };
    });
  }
  return dbPromise;
}

// Runs fn(transaction) and resolves with fn's result once the transaction has
// committed, so a resolved put() means the item is on disk. fn only queues
// requests (IndexedDB commits as soon as nothing is queued, so no awaiting
// inside); values read by those requests are handed out through a closure.
async function run(stores, mode, fn, durability) {
  const attempt = async () => {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const options = durability ? { durability } : undefined;
      const tx = db.transaction(stores, mode, options);
      let read;
      tx.oncomplete = () => resolve(typeof read === "function" ? read() : read);
      tx.onerror = () => reject(tx.error || new Error("indexeddb"));
      tx.onabort = () => reject(tx.error || new Error("indexeddb"));
      read = fn(tx);
    });
  };
  try {
    return await attempt();
  } catch (error) {
    // The connection was closed under us (versionchange, browser reclaiming
    // it): open once more, then give up.
    if (error && error.name === "InvalidStateError") {
      dbPromise = null;
      return attempt();
    }
    throw error;
  }
}

function readAll() {
  return run([ITEMS, META], "readonly", (tx) => {
    const out = {};
    tx.objectStore(ITEMS).getAll().onsuccess = (e) => (out.items = e.target.result);
    tx.objectStore(META).get("last_sent_at").onsuccess = (e) => (out.last_sent_at = e.target.result);
    tx.objectStore(META).get("needs_login").onsuccess = (e) => (out.needs_login = e.target.result);
    return () => out;
  });
}

function byAge(a, b) {
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// Changes the stored item only if it still holds the ciphertext that was sent:
// a put() with the same id while the old copy was in flight wins.
function updateIfSame(item, change) {
  return run([ITEMS, META], "readwrite", (tx) => {
    const store = tx.objectStore(ITEMS);
    store.get(item.id).onsuccess = (e) => {
      const current = e.target.result;
      if (current && current.ct === item.ct) change(store, current, tx.objectStore(META));
    };
  });
}

// ------------------------------------------------------------ notifications

let channel = null;

function notify() {
  window.dispatchEvent(new Event(CHANGE_EVENT));
  if (channel) {
    try {
      channel.postMessage("change");
    } catch {
      // A closed channel only means other tabs miss one badge update.
    }
  }
}

// ---------------------------------------------------------------------- put

async function put(item) {
  const { id, kind, payload } = item || {};
  if (typeof id !== "string" || !ID_RE.test(id) || typeof kind !== "string" || !KIND_RE.test(kind)) {
    throw new Error("bad-item");
  }
  if (typeof payload !== "string") throw new Error("bad-item");
  const meta = document.querySelector(KEY_META);
  const keySpec = meta && meta.getAttribute("content");
  if (!keySpec) throw new Error("no-key");

  const envelope = await seal(keySpec, id, kind, payload);
  const record = {
    id,
    kind,
    created_at: Date.now(),
    key_id: envelope.key_id,
    epk: envelope.epk,
    iv: envelope.iv,
    ct: envelope.ct,
    state: "pending",
    status: null,
    error_body: null,
    attempts: 0,
  };
  // "strict": resolve only once the item is flushed to disk, not merely queued.
  await run(
    [ITEMS],
    "readwrite",
    (tx) => {
      const store = tx.objectStore(ITEMS);
      // Same id again (a double tap, a retry): one item, replaced by the newer
      // seal, but it keeps its place in the queue.
      store.get(id).onsuccess = (e) => {
        const existing = e.target.result;
        if (existing && typeof existing.created_at === "number") record.created_at = existing.created_at;
        store.put(record);
      };
    },
    "strict",
  );
  notify();
  flush(false).catch(() => {});
}

// -------------------------------------------------------------------- flush

let running = null; // the flush of this tab, if one is under way
let again = false; // another flush was asked for while one ran
let againManual = false;

function flush(manual) {
  if (running) {
    again = true;
    againManual = againManual || !!manual;
    return running;
  }
  running = (async () => {
    try {
      let result = await flushLocked(!!manual);
      // Someone asked while we were busy (a put, a button press): go once more,
      // unless the server or network told us to stop for now.
      while (again && result === "done") {
        const nextManual = againManual;
        again = false;
        againManual = false;
        result = await flushLocked(nextManual);
      }
    } finally {
      again = false;
      againManual = false;
      running = null;
    }
  })();
  return running;
}

function flushLocked(manual) {
  // Other tabs of the app share the outbox; the Web Lock keeps two tabs from
  // sending the same item at once. Browsers without it (older Safari) send
  // unguarded; the server stores by id, so a double send is harmless.
  if (navigator.locks && typeof navigator.locks.request === "function") {
    return navigator.locks.request(LOCK, () => sendAll(manual));
  }
  return sendAll(manual);
}

// Sends items oldest first. Returns "done" when nothing is left to try, or
// "stopped" when the network or server said "later" (or "log in first").
async function sendAll(manual) {
  const tried = new Set();
  for (;;) {
    if (!navigator.onLine) return "stopped";
    // Read afresh each round: items put meanwhile join, items another tab
    // sent are gone.
    const { items } = await readAll();
    const next = (items || [])
      .filter((it) => !tried.has(it.id) && (it.state === "pending" || (manual && it.state === "failed")))
      .sort(byAge)[0];
    if (!next) return "done";
    tried.add(next.id);

    let response;
    try {
      response = await send(next);
    } catch {
      await countAttempt(next);
      return "stopped"; // offline or timed out: the interval and "online" retry
    }

    if (response.ok && !response.redirected) {
      // The receipt: the server has stored it. Only now may the item go.
      await updateIfSame(next, (store, _current, meta) => {
        store.delete(next.id);
        meta.put(Date.now(), "last_sent_at");
        meta.delete("needs_login");
      });
      notify();
      continue;
    }
    const status = response.status;
    if (status === 401) {
      // Session over: keep the item, tell the badge to ask for a login. The items
      // after it may need no session (a young person's anonymous submission).
      await updateIfSame(next, (store, current, meta) => {
        current.attempts = (current.attempts || 0) + 1;
        store.put(current);
        meta.put(true, "needs_login");
      });
      notify();
      continue;
    }
    if (status === 429) {
      // Too many for now: the item waits, and the page can say why (the answer is
      // a short German sentence, nothing of the item).
      const body = await errorBody(response);
      await updateIfSame(next, (store, current) => {
        current.attempts = (current.attempts || 0) + 1;
        current.status = 429;
        current.error_body = body;
        store.put(current);
      });
      notify();
      return "stopped";
    }
    if (status === 408 || status >= 500 || status < 400 || response.redirected) {
      // Busy, down, or something in between answered: try again later.
      await countAttempt(next);
      return "stopped";
    }
    if (status === 403 || status === 409) {
      // Sealed by another account than the one logged in now (a shared phone),
      // or this account does not write entries: the item belongs to someone
      // else's session. It stays pending, untouched, and goes out when its
      // author is logged in again; the items after it may be this user's.
      await countAttempt(next);
      continue;
    }
    // Any other 4xx: the server refused this item for good (the Rust side
    // reads error_body and shows why). The next items may still be fine.
    const body = await errorBody(response);
    await updateIfSame(next, (store, current) => {
      current.state = "failed";
      current.status = status;
      current.error_body = body;
      current.attempts = (current.attempts || 0) + 1;
      store.put(current);
    });
    notify();
  }
}

// The server's answer to a refused item, capped (it is a short German text).
async function errorBody(response) {
  try {
    return (await response.text()).slice(0, MAX_ERROR_BODY);
  } catch {
    return "";
  }
}

async function send(item) {
  const body = new URLSearchParams();
  body.set("input[id]", item.id);
  body.set("input[kind]", item.kind);
  body.set("input[key_id]", item.key_id);
  body.set("input[epk]", item.epk);
  body.set("input[iv]", item.iv);
  body.set("input[ct]", item.ct);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    return await fetch(DELIVER_URLS[item.kind] || DELIVER_URL, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body,
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

function countAttempt(item) {
  return updateIfSame(item, (store, current) => {
    current.attempts = (current.attempts || 0) + 1;
    store.put(current);
  }).catch(() => {});
}

// ------------------------------------------------------------- stats, list

async function stats() {
  const { items, last_sent_at, needs_login } = await readAll();
  let pending = 0;
  let failed = 0;
  for (const it of items || []) {
    if (it.state === "pending") pending++;
    else if (it.state === "failed") failed++;
  }
  return {
    pending,
    failed,
    last_sent_at: typeof last_sent_at === "number" ? last_sent_at : null,
    needs_login: needs_login === true,
  };
}

async function list() {
  const { items } = await readAll();
  return (items || [])
    .sort(byAge)
    .map(({ id, kind, created_at, state, status, error_body }) => ({
      id,
      kind,
      created_at,
      state,
      status: status ?? null,
      error_body: error_body ?? null,
    }));
}

// ---------------------------------------------------------- clearReadable

// Logout on a shared phone: remove everything the next person could read.
// The sealed outbox stays (nobody on the device can open it, and it still
// has to reach the server).
async function clearReadable() {
  try {
    localStorage.clear();
  } catch {
    // Storage disabled: nothing stored there either.
  }
  try {
    sessionStorage.clear();
  } catch {
    // As above.
  }

  const steps = [deleteOtherDatabases(), forgetLogin(), purgeCaches(), tellWorker()];
  await Promise.allSettled(steps);
  notify();
}

async function deleteOtherDatabases() {
  // indexedDB.databases() is missing in some older browsers; then there is no
  // way to learn the names, and the app itself keeps no other database.
  if (typeof indexedDB.databases !== "function") return;
  const dbs = await indexedDB.databases();
  await Promise.allSettled(
    dbs
      .filter((db) => db.name && db.name !== DB_NAME)
      .map(
        (db) =>
          new Promise((resolve) => {
            const request = indexedDB.deleteDatabase(db.name);
            request.onsuccess = request.onerror = () => resolve();
            // Blocked by an open connection elsewhere: the deletion finishes
            // when it closes; do not hold up the logout for it.
            request.onblocked = () => resolve();
          }),
      ),
  );
}

function forgetLogin() {
  // last_sent_at stays: a time of day, nothing personal, and useful to the next
  // person to see that the phone did send.
  return run([META], "readwrite", (tx) => {
    tx.objectStore(META).delete("needs_login");
  });
}

// The worker does the same on "logout"; done here as well so a page that no
// worker controls (first visit, hard reload) still leaves no readable cache.
async function purgeCaches() {
  if (typeof caches === "undefined") return;
  const names = await caches.keys();
  await Promise.all(names.filter((name) => !name.startsWith("gruppenbuch-shell-")).map((name) => caches.delete(name)));
}

async function tellWorker() {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  let worker = sw.controller;
  if (!worker) {
    const registration = await sw.getRegistration();
    worker = registration && registration.active;
  }
  if (!worker) return;
  await new Promise((resolve) => {
    const port = new MessageChannel();
    const timer = setTimeout(resolve, LOGOUT_REPLY_MS);
    port.port1.onmessage = () => {
      clearTimeout(timer);
      resolve();
    };
    worker.postMessage("logout", [port.port2]);
  });
}

// -------------------------------------------------------------------- start

const api = Object.freeze({ put, flush, stats, list, clearReadable, seal });

function start() {
  window.gbOutbox = api;
  // Without IndexedDB (the Node unit test, very old browsers) only seal() is
  // of use; no triggers.
  if (typeof indexedDB === "undefined" || typeof document === "undefined") return;

  if (typeof BroadcastChannel === "function") {
    channel = new BroadcastChannel(CHANNEL);
    // Another tab changed the outbox: refresh this tab's badge (not re-sent).
    channel.onmessage = () => window.dispatchEvent(new Event(CHANGE_EVENT));
  }

  const kick = () => {
    flush(false).catch(() => {});
  };
  window.addEventListener("online", kick);
  // A phone app brought back to the front has often been offline meanwhile.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") kick();
  });
  setInterval(() => {
    if (!navigator.onLine) return;
    stats()
      .then((s) => {
        if (s.pending > 0) kick();
      })
      .catch(() => {});
  }, RETRY_MS);

  // Ask the browser not to evict the outbox under storage pressure. The answer
  // changes nothing here (the items are sealed either way), so it is ignored.
  let persisted;
  try {
    persisted = navigator.storage && navigator.storage.persist ? navigator.storage.persist() : null;
  } catch {
    persisted = null;
  }
  Promise.resolve(persisted)
    .catch(() => {})
    .then(kick);
  // A page that asked for the counts before this module ran asks again now.
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

start();
