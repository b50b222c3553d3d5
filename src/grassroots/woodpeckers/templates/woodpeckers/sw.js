// 啄木鸟随手拍 service worker: keeps the app shell so the page opens with no signal. Reports are not
// sent from here: the page queues them in IndexedDB and sends them when the connection returns.
const CACHE = "woodpecker-{{ version }}";
const SHELL = {{ shell_json|safe }};
const APP = SHELL[0];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((n) => n.startsWith("woodpecker-") && n !== CACHE).map((n) => caches.delete(n))
  )).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === APP) {
    // The page: the network first (it lists the latest reports), the cached copy with no signal.
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put(APP, copy)); }
      return response;
    }).catch(() => caches.match(APP)));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
