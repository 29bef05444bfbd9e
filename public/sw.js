/*
 * Gruppenbuch service worker (hand-written, no build step, no imports).
 *
 * The app holds social data of children. The rule this file keeps: Cache
 * Storage holds public app files, plus exactly three pages a carer needs to
 * write while offline, and those only until logout or the session ends.
 *   - shell cache (kept across logins, nothing personal): hashed build output
 *     under /pkg/ (cache-first, and after a page has loaded and its own
 *     requests are done, the whole current build is fetched ahead at low
 *     priority, see "precache"), the icons and their sprite, the web manifest,
 *     /outbox.js and /offline.html (stale-while-revalidate).
 *   - pages cache (deleted at logout and when the session ends): the pages
 *     /, /tagesnotiz/neu and /besuchskontakt/neu, network-first. They hold the
 *     entry forms and the names of the young people of the user's own group,
 *     which the forms need to work offline. Nothing typed is ever in them:
 *     entries go sealed into the IndexedDB outbox (public/outbox.js), never
 *     into a page or a cache.
 *   - not cached: every other page (when the network fails the browser gets
 *     /offline.html instead), /api/* server functions, uploads, exports,
 *     anything cross-origin, anything not a plain GET. For the non-page ones
 *     the worker does not call respondWith() at all, so the browser takes its
 *     normal network path (the server sends `Cache-Control: no-store` on
 *     data responses).
 */
"use strict";

// Bump when the caching logic or STATIC_ASSETS change; activate then drops
// every older cache. Hashed /pkg/ files need no bump: new names, new entries.
const VERSION = "v3";

// Every cache with this prefix holds only public app files. Logout keeps
// them (nothing personal inside) and deletes everything else.
const SHELL_PREFIX = "gruppenbuch-shell-";
const SHELL_CACHE = `${SHELL_PREFIX}${VERSION}`;

// The offline pages (see the header). Deliberately NOT named with
// SHELL_PREFIX: they hold names of young people, so the logout purge (which
// spares only the shell prefix) deletes them. Its name is not tied to VERSION,
// so a worker update does not take away a phone's ability to write offline.
const PAGES_CACHE = "gruppenbuch-pages-v1";
const OFFLINE_PAGES = new Set(["/", "/tagesnotiz/neu", "/besuchskontakt/neu"]);
// Re-fetch a cached page on "precache" when it is older than this, so the
// list of young people stays current without a page render on every load.
const PAGE_MAX_AGE_MS = 10 * 60 * 1000;

// Shown for a page the network cannot deliver and no cache holds.
const OFFLINE_FALLBACK = "/offline.html";
// Where the server sends a request without a (live) session.
const LOGIN_PATH = "/anmelden";
// The current build's hashed files, written by scripts/precompress.sh.
const ASSET_LIST = "/offline-assets.json";

// Caches this worker version owns. Any other name found on activate is a
// leftover of an older version (or something that must not linger) and goes.
const OWNED_CACHES = [SHELL_CACHE, PAGES_CACHE];

// Unhashed static files (from public/). Their names never change, so they
// are revalidated in the background instead of trusted forever.
const STATIC_ASSETS = [
  "/manifest.webmanifest",
  "/icons/icons.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/icons/apple-touch-icon.png",
  "/icons/favicon.png",
  "/icons/favicon.ico",
  "/outbox.js",
  OFFLINE_FALLBACK,
];
const STATIC_SET = new Set(STATIC_ASSETS);

// cargo-leptos with `hash-files = true` writes /pkg/<name>.<hash>.<ext>,
// hash = base64url MD5 (22 chars); hex hashes are accepted too. The content
// behind such a name never changes, which is what makes cache-first safe.
// .json is the split manifest (__wasm_split_manifest.<hash>.json) that maps
// routes to their lazily loaded WebAssembly chunks.
// Unhashed files (dev builds, wasm-bindgen /pkg/snippets/...) do not match
// and always go to the network, so a dev build never serves stale code.
const HASHED_PKG =
  /^\/pkg\/[A-Za-z0-9_-]+\.(?:[A-Za-z0-9_-]{22}|[0-9a-f]{6,64})\.(?:js|wasm|css|json)$/;

// ---------------------------------------------------------------- lifecycle

self.addEventListener("install", (event) => {
  // Take over at once: an old worker must not keep serving old rules.
  self.skipWaiting();
  // Only the offline notice now (one small file); the other static files come with
  // the quiet precache, so a first visit does not share its connection with them.
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => storeFresh(cache, OFFLINE_FALLBACK))
      .catch(() => {}),
  );
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

// "reload" bypasses the HTTP cache so a new worker version gets fresh files.
async function storeFresh(cache, path) {
  const response = await fetch(new Request(path, { cache: "reload" }), { priority: "low" });
  if (isCacheable(response)) await cache.put(path, response);
}

// -------------------------------------------------------------------- fetch

self.addEventListener("fetch", (event) => {
  const request = event.request;
  notePageRequest();

  // Writes (form posts, server functions) are never touched.
  if (request.method !== "GET") return;

  const url = new URL(request.url);

  // Other origins: not ours to cache.
  if (url.origin !== self.location.origin) return;

  // Server functions and any other data endpoint: never cached. (Checked
  // before navigations: a download opened from /api/ is left alone too.)
  if (url.pathname.startsWith("/api/")) return;

  // Pages: the three offline pages network-first with a cached copy, every
  // other page straight from the network with /offline.html when it fails.
  if (request.mode === "navigate") {
    respond(event, OFFLINE_PAGES.has(url.pathname) ? offlinePage(event, url) : networkPage(event, url));
    return;
  }

  // Partial responses (206) cannot be stored, and query strings would make
  // cache keys for the same file multiply; leave such requests alone.
  if (url.search !== "" || request.headers.has("range")) return;

  if (HASHED_PKG.test(url.pathname)) {
    respond(event, cacheFirst(event));
    return;
  }

  if (STATIC_SET.has(url.pathname)) {
    respond(event, staleWhileRevalidate(event));
    return;
  }

  // Everything else (unhashed /pkg/ files, uploads, exports, ...): no
  // respondWith(), the browser fetches it as if there were no worker.
});

// Hashed file: the name pins the content, so a stored copy is always right.
// Stored on first fetch, or ahead of time by "precache" (see messages).
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

// ------------------------------------------------------------------- pages

// One of the offline pages. The network answer wins whenever there is one,
// so the user sees current data; the stored copy is only for when the fetch
// fails (no connection). Pages are sent `no-store`, which isCacheable()
// honours for files; these three are stored anyway, on purpose (header), and
// with exactly the lifetime set out there.
async function offlinePage(event, url) {
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    const stored = await caches.match(url.pathname, { cacheName: PAGES_CACHE });
    return stored || offlineFallback();
  }
  // Only the plain page is stored: `?fuer=<young person>` preselects a child and
  // `?gespeichert=1` shows a notice, neither of which may come back offline as
  // the page everybody gets.
  if (url.search === "" && isStorablePage(response, url.pathname)) {
    const copy = response.clone();
    event.waitUntil(
      caches
        .open(PAGES_CACHE)
        .then((cache) => cache.put(url.pathname, copy))
        .catch(() => {}),
    );
  } else {
    await forgetPagesIfLoggedOut(response, url);
  }
  return response;
}

// Any other page: never stored, and only a notice when the network fails.
async function networkPage(event, url) {
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    return offlineFallback();
  }
  await forgetPagesIfLoggedOut(response, url);
  return response;
}

// The session has ended when the server shows the login page: either the
// navigation itself went to /anmelden and got the form (a logged-in user is
// sent on to the start page instead), or a followed redirect ended there.
// (Navigations do not follow redirects inside the worker: a page without a
// session answers with an opaque redirect, and the browser's next navigation
// is the one to /anmelden.) The cached pages then belong to nobody logged in
// and go.
async function forgetPagesIfLoggedOut(response, url) {
  const landedOnLogin =
    (url.pathname === LOGIN_PATH && response.status === 200 && !response.redirected) ||
    (response.redirected && new URL(response.url).pathname === LOGIN_PATH);
  if (landedOnLogin) {
    await caches.delete(PAGES_CACHE).catch(() => {});
  }
}

async function offlineFallback() {
  const page = await caches.match(OFFLINE_FALLBACK, { cacheName: SHELL_CACHE });
  if (page) return page;
  return new Response("Keine Verbindung zum Gruppenbuch.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

// A complete page of our own, fetched for the path it was asked for.
function isStorablePage(response, pathname) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
    return false;
  }
  if (new URL(response.url).pathname !== pathname) return false;
  const type = response.headers.get("Content-Type") || "";
  return /^text\/html\b/i.test(type);
}

// Only complete, same-origin, successful responses that the server does not
// forbid to store. `no-store` is honoured even for files we would cache.
function isCacheable(response) {
  // A redirected answer is not the file asked for (e.g. the login page when
  // a request had no session) and must not be stored under the file's name.
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
    return false;
  }
  const cacheControl = response.headers.get("Cache-Control") || "";
  if (/\bno-store\b/i.test(cacheControl)) return false;
  const vary = response.headers.get("Vary") || "";
  return vary.trim() !== "*";
}

// ----------------------------------------------------------------- messages

// The page posts "logout" (or {type: "logout"}) when the user logs out (shared phones).
// Every cache outside the shell prefix is deleted, the offline pages
// included, so nothing readable lingers; the shell caches hold only public
// app files and stay for a fast next login. (IndexedDB is the page's job:
// gbOutbox.clearReadable() in public/outbox.js keeps only the sealed outbox.)
// The page may pass a MessagePort to learn when the purge is done.
//
// The page posts {type: "precache", offline: <asked>} (or "precache") after
// it has hydrated; see precache() below.
self.addEventListener("message", (event) => {
  // Messages to a worker come from same-origin clients; check anyway.
  if (event.origin && event.origin !== self.location.origin) return;

  const data = event.data;
  const type = data && typeof data === "object" ? data.type : data;

  if (type === "logout") {
    event.waitUntil(
      purgeNonShellCaches().then(
        () => reply(event, { type: "logout-done" }),
        () => reply(event, { type: "logout-failed" }),
      ),
    );
    return;
  }

  if (type === "precache") {
    const asked = Boolean(data && typeof data === "object" && data.offline);
    // Answered only on a port: a page that did not ask must not get messages.
    event.waitUntil(
      precache(asked).then(
        () => replyOnPort(event, { type: "precache-done" }),
        () => replyOnPort(event, { type: "precache-failed" }),
      ),
    );
  }
});

async function purgeNonShellCaches() {
  const names = await caches.keys();
  await Promise.all(
    names
      .filter((name) => !name.startsWith(SHELL_PREFIX))
      .map((name) => caches.delete(name)),
  );
}

// "precache" (posted by the page once it has hydrated): make this phone able
// to open the app offline, without slowing the page down.
//   0. Not at all on a connection that asks to save data, unless the user
//      asked for offline use ({type: "precache", offline: true}).
//   1. Wait until the pages' own requests are done and nothing new was asked
//      for a moment (see "quiet" below): a first visit gets the connection to
//      itself.
//   2. The offline pages, if missing, old, or made for another build.
//   3. The current build's file list; every file not yet stored (the lazily
//      loaded route chunks too) and the static files, two at a time, at low
//      priority, waiting for quiet again before each pair.
//   4. Files of old builds leave the shell cache; so do cached pages that
//      still point at such files (they could not start offline anyway).
// Every failure is ignored: this is an optimisation; the page works without.
// Several tabs may ask at once; one run serves them all.
let precacheRun = null;

function precache(asked) {
  if (!precacheRun) {
    precacheRun = runPrecache(asked).finally(() => {
      precacheRun = null;
    });
  }
  return precacheRun;
}

// ------------------------------------------------------------------- quiet
// What the pages ask for, as this worker sees it (its own fetch() calls do
// not pass through its fetch event): when the last request came, and how
// many of those it answers are still open. Requests it leaves to the browser
// (server functions) count by their start only.
const QUIET_MS = 2000;
// A page that never goes quiet (polling every second) still gets its files,
// later: after this long in one run the worker stops waiting.
const MAX_WAIT_MS = 15 * 1000;
// Files fetched at once while precaching.
const PRECACHE_PARALLEL = 2;
let lastPageRequestAt = Date.now();
let openPageRequests = 0;

function notePageRequest() {
  lastPageRequestAt = Date.now();
}

function respond(event, answer) {
  openPageRequests += 1;
  const done = () => {
    openPageRequests -= 1;
    lastPageRequestAt = Date.now();
  };
  Promise.resolve(answer).then(done, done);
  event.respondWith(answer);
}

// The end of the current run's waiting (set when a run starts): the budget is
// for the whole run, not for each pair of files.
let waitUntil = 0;

async function untilQuiet() {
  while (Date.now() < waitUntil) {
    if (openPageRequests === 0 && Date.now() - lastPageRequestAt >= QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function savesData() {
  const connection = self.navigator.connection;
  return Boolean(connection && connection.saveData);
}

async function runPrecache(asked) {
  if (!self.navigator.onLine) return;
  if (savesData() && !asked) return;
  waitUntil = Date.now() + MAX_WAIT_MS;
  await untilQuiet();
  const shell = await caches.open(SHELL_CACHE);
  const wanted = await currentBuild();
  const stored = (await shell.keys()).filter((request) => new URL(request.url).pathname.startsWith("/pkg/"));
  const storedPaths = new Set(stored.map((request) => new URL(request.url).pathname));
  const newBuild = wanted !== null && [...wanted].some((path) => !storedPaths.has(path));

  await refreshPages(newBuild);

  const missingStatic = [];
  for (const path of STATIC_ASSETS) {
    if (!(await shell.match(path))) missingStatic.push(path);
  }
  const missing = wanted === null ? [] : [...wanted].filter((path) => !storedPaths.has(path));
  await inBatches([...missing, ...missingStatic], PRECACHE_PARALLEL, async (path) => {
    const response = await fetch(path, { credentials: "same-origin", priority: "low" });
    if (isCacheable(response)) await shell.put(path, response);
  });
  if (wanted === null) return;
  await Promise.allSettled(
    stored.filter((request) => !wanted.has(new URL(request.url).pathname)).map((request) => shell.delete(request)),
  );
  await dropPagesOfOtherBuilds(wanted);
}

// The set of /pkg/ paths of the deployed build, or null when unknown (a dev
// build without hashed names, the list missing or odd): then nothing in the
// shell cache is deleted.
async function currentBuild() {
  try {
    const response = await fetch(ASSET_LIST, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok || response.redirected) return null;
    const list = await response.json();
    if (!Array.isArray(list)) return null;
    const paths = new Set(list.filter((path) => typeof path === "string" && HASHED_PKG.test(path)));
    return paths.size > 0 ? paths : null;
  } catch (error) {
    return null;
  }
}

// Fetches the offline pages with the user's session, so one who only ever
// opened the start page can still write a note offline later.
async function refreshPages(force) {
  const cache = await caches.open(PAGES_CACHE);
  for (const path of OFFLINE_PAGES) {
    try {
      if (!force && isFresh(await cache.match(path))) continue;
      const response = await fetch(path, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "text/html" },
        priority: "low",
      });
      if (response.redirected && new URL(response.url).pathname === LOGIN_PATH) {
        // The session has ended: no page is stored, and stored ones go.
        await caches.delete(PAGES_CACHE);
        return;
      }
      if (isStorablePage(response, path)) await cache.put(path, response);
    } catch (error) {
      // Offline or server trouble: keep what is stored.
    }
  }
}

// The server stamps every response with Date; a copy without one counts as old.
function isFresh(response) {
  if (!response) return false;
  const date = Date.parse(response.headers.get("Date") || "");
  return Number.isFinite(date) && Date.now() - date < PAGE_MAX_AGE_MS;
}

// A stored page names the /pkg/ files it loads; if one is not in the current
// build, the page would fail offline and is dropped (the next online visit
// stores a fresh one).
async function dropPagesOfOtherBuilds(wanted) {
  const cache = await caches.open(PAGES_CACHE);
  for (const request of await cache.keys()) {
    try {
      const page = await cache.match(request);
      const html = page ? await page.text() : "";
      const referenced = html.match(/\/pkg\/[A-Za-z0-9_.-]+/g) || [];
      if (referenced.some((path) => HASHED_PKG.test(path) && !wanted.has(path))) {
        await cache.delete(request);
      }
    } catch (error) {
      // Leave it; the next run looks again.
    }
  }
}

async function inBatches(items, size, work) {
  for (let i = 0; i < items.length; i += size) {
    await untilQuiet();
    await Promise.allSettled(items.slice(i, i + size).map(work));
  }
}

function replyOnPort(event, message) {
  const port = event.ports && event.ports[0];
  if (port) port.postMessage(message);
}

function reply(event, message) {
  const port = event.ports && event.ports[0];
  if (port) {
    port.postMessage(message);
  } else if (event.source && typeof event.source.postMessage === "function") {
    event.source.postMessage(message);
  }
}
