/*
 * Gruppenbuch service worker (hand-written, no build step, no imports).
 *
 * The app holds social data of children. The one rule this file keeps:
 * only public, non-personal app files ever land in Cache Storage.
 *   - cached:     hashed build output under /pkg/ (cache-first) and the few
 *                 static icons + the web manifest (stale-while-revalidate)
 *   - not cached: HTML pages, /api/* server functions, uploads, exports,
 *                 anything cross-origin, anything not a plain GET. For those
 *                 the worker does not call respondWith() at all, so the
 *                 browser takes its normal network path (the server sends
 *                 `Cache-Control: no-store` on data responses).
 */
"use strict";

// Bump when the caching logic or STATIC_ASSETS change; activate then drops
// every older cache. Hashed /pkg/ files need no bump: new names, new entries.
const VERSION = "v1";

// Every cache with this prefix holds only public app files. Logout keeps
// them (nothing personal inside) and deletes everything else.
const SHELL_PREFIX = "gruppenbuch-shell-";
const SHELL_CACHE = `${SHELL_PREFIX}${VERSION}`;

// Caches this worker version owns. Any other name found on activate is a
// leftover of an older version (or something that must not linger) and goes.
// SEAM (offline app shell, later feature): a pages cache for the shell would
// be added here, named with SHELL_PREFIX, and only ever hold the
// personal-data-free shell document.
const OWNED_CACHES = [SHELL_CACHE];

// Unhashed static files (from public/). Their names never change, so they
// are revalidated in the background instead of trusted forever.
const STATIC_ASSETS = [
  "/manifest.webmanifest",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/icons/apple-touch-icon.png",
  "/icons/favicon.png",
  "/icons/favicon.ico",
];
const STATIC_SET = new Set(STATIC_ASSETS);

// cargo-leptos with `hash-files = true` writes /pkg/<name>.<hash>.<ext>,
// hash = base64url MD5 (22 chars); hex hashes are accepted too. The content
// behind such a name never changes, which is what makes cache-first safe.
// Unhashed files (dev builds, wasm-bindgen /pkg/snippets/...) do not match
// and always go to the network, so a dev build never serves stale code.
const HASHED_PKG =
  /^\/pkg\/[A-Za-z0-9_-]+\.(?:[A-Za-z0-9_-]{22}|[0-9a-f]{6,64})\.(?:js|wasm|css)$/;

// ---------------------------------------------------------------- lifecycle

self.addEventListener("install", (event) => {
  // Take over at once: an old worker must not keep serving old rules.
  self.skipWaiting();
  event.waitUntil(precacheStatic());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Drop caches of other versions (and any stray cache): the current
      // worker is the only one that decides what may be stored.
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => !OWNED_CACHES.includes(name))
          .map((name) => caches.delete(name)),
      );
      // Control already open pages so they get these rules without a reload.
      await self.clients.claim();
    })(),
  );
});

async function precacheStatic() {
  const cache = await caches.open(SHELL_CACHE);
  // allSettled: one missing icon must not stop the worker from installing.
  await Promise.allSettled(
    STATIC_ASSETS.map(async (path) => {
      // "reload" bypasses the HTTP cache so a new version gets fresh files.
      const response = await fetch(new Request(path, { cache: "reload" }));
      if (isCacheable(response)) {
        await cache.put(path, response);
      }
    }),
  );
}

// -------------------------------------------------------------------- fetch

self.addEventListener("fetch", (event) => {
  const request = event.request;

  // Writes (form posts, server functions) are never touched.
  if (request.method !== "GET") return;

  const url = new URL(request.url);

  // Other origins: not ours to cache.
  if (url.origin !== self.location.origin) return;

  // HTML pages contain personal data: straight to the network.
  // SEAM (offline app shell, later feature): navigations would be answered
  // here from a personal-data-free shell when the network fails. Until then
  // there is deliberately no respondWith() for them.
  if (request.mode === "navigate") return;

  // Server functions and any other data endpoint: never cached.
  if (url.pathname.startsWith("/api/")) return;

  // Partial responses (206) cannot be stored, and query strings would make
  // cache keys for the same file multiply; leave such requests alone.
  if (url.search !== "" || request.headers.has("range")) return;

  if (HASHED_PKG.test(url.pathname)) {
    event.respondWith(cacheFirst(event));
    return;
  }

  if (STATIC_SET.has(url.pathname)) {
    event.respondWith(staleWhileRevalidate(event));
    return;
  }

  // Everything else (unhashed /pkg/ files, uploads, exports, ...): no
  // respondWith(), the browser fetches it as if there were no worker.
});

// Hashed file: the name pins the content, so a stored copy is always right.
// Stored on first fetch; nothing is fetched ahead of time.
async function cacheFirst(event) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(event.request);
  if (hit) return hit;

  const response = await fetch(event.request);
  if (isCacheable(response)) {
    // A failed put (quota, private mode) must not break the page.
    event.waitUntil(cache.put(event.request, response.clone()).catch(() => {}));
  }
  return response;
}

// Static file with a fixed name: answer fast from the cache, refresh it in
// the background so a changed icon or manifest arrives on the next visit.
async function staleWhileRevalidate(event) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(event.request);

  const refresh = fetch(event.request).then(async (response) => {
    if (isCacheable(response)) {
      await cache.put(event.request, response.clone());
    }
    return response;
  });

  if (hit) {
    event.waitUntil(refresh.catch(() => {}));
    return hit;
  }
  return refresh;
}

// Only complete, same-origin, successful responses that the server does not
// forbid to store. `no-store` is honoured even for files we would cache.
function isCacheable(response) {
  if (!response || response.status !== 200 || response.type !== "basic") {
    return false;
  }
  const cacheControl = response.headers.get("Cache-Control") || "";
  if (/\bno-store\b/i.test(cacheControl)) return false;
  const vary = response.headers.get("Vary") || "";
  return vary.trim() !== "*";
}

// ----------------------------------------------------------------- messages

// The page posts "logout" (or {type: "logout"}) when the user logs out (shared phones).
// Every cache outside the shell prefix is deleted so nothing readable
// lingers; the shell caches hold only public app files and stay for a fast
// next login. (IndexedDB, including the sealed outbox, is the page's job.)
// The page may pass a MessagePort to learn when the purge is done.
self.addEventListener("message", (event) => {
  // Messages to a worker come from same-origin clients; check anyway.
  if (event.origin && event.origin !== self.location.origin) return;

  const data = event.data;
  const isLogout = data === "logout" || (data && typeof data === "object" && data.type === "logout");
  if (!isLogout) return;

  event.waitUntil(
    purgeNonShellCaches().then(
      () => reply(event, { type: "logout-done" }),
      () => reply(event, { type: "logout-failed" }),
    ),
  );
});

async function purgeNonShellCaches() {
  const names = await caches.keys();
  await Promise.all(
    names
      .filter((name) => !name.startsWith(SHELL_PREFIX))
      .map((name) => caches.delete(name)),
  );
}

function reply(event, message) {
  const port = event.ports && event.ports[0];
  if (port) {
    port.postMessage(message);
  } else if (event.source && typeof event.source.postMessage === "function") {
    event.source.postMessage(message);
  }
}
