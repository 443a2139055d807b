/* Coachroom's service worker: small and hand-written (docs/offline.md says why).

   - The shell (styles, scripts, icons, the offline page) is kept for everyone, in one cache
     per release.
   - A page is kept only when the server marks it ("Coachroom-Offline: keep; user=KEY"): the
     signed-in person's own home, drop-in forms and library steps, each in that person's own
     cache ("coachroom-pages-KEY"). Nobody else's coaching is ever marked or kept.
   - Pages come from the network first; the kept copy only when there is no network.
   - With no network, "Drop in" (a form post) opens the pair's blank drop-in form instead.
   - Signing out deletes the person's cache (the page asks: {type: "forget", user}). */
const SHELL = "coachroom-shell-{{ version }}";
const SHELL_FILES = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const META = "coachroom-meta";
const PAGES = "coachroom-pages-";
const START = /^\/coaching\/pairs\/(\d+)\/drop-in\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("coachroom-shell-") && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// Whose pages are kept now: the person named by the last page the server marked for keeping.
async function currentUser() {
  const answer = await (await caches.open(META)).match("/__offline-user");
  return answer ? answer.text() : "";
}

async function setUser(user) {
  const meta = await caches.open(META);
  if (user) await meta.put("/__offline-user", new Response(user));
  else await meta.delete("/__offline-user");
}

function keptFor(response) {
  const mark = response.headers.get("Coachroom-Offline") || "";
  const found = /^keep; user=([0-9a-f]+)$/.exec(mark);
  return response.ok && !response.redirected && found ? found[1] : "";
}

async function keep(request, response) {
  const user = keptFor(response);
  if (!user) return;
  await setUser(user);
  await (await caches.open(PAGES + user)).put(request, response);
}

async function page(request) {
  try {
    const response = await fetch(request);
    await keep(request, response.clone());
    return response;
  } catch (offline) {
    const user = await currentUser();
    const kept = user && (await (await caches.open(PAGES + user)).match(request, { ignoreVary: true }));
    return kept || (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

async function startDropIn(request, pair) {
  try {
    return await fetch(request);
  } catch (offline) {
    return Response.redirect(`/coaching/pairs/${pair}/drop-in/new/`, 303);
  }
}

async function shellFile(request) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(shellFile(request));
  } else if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(page(request));
  } else if (request.mode === "navigate" && request.method === "POST" && START.test(url.pathname)) {
    event.respondWith(startDropIn(request, START.exec(url.pathname)[1]));
  }
});

// Messages from the person's pages: keep these pages (their coachees' blank drop-in forms), or
// forget everything kept for them (signing out).
self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "keep" && Array.isArray(message.urls)) {
    event.waitUntil(Promise.all(message.urls.map(async (href) => {
      const url = new URL(href, self.location.origin);
      if (url.origin !== self.location.origin) return;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        await keep(new Request(url), response);
      } catch (offline) { /* kept next time the home page opens online */ }
    })).then(() => event.source && event.source.postMessage({ type: "kept" })));
  } else if (message.type === "forget" && /^[0-9a-f]+$/.test(message.user || "")) {
    event.waitUntil(
      caches.delete(PAGES + message.user)
        .then(currentUser)
        .then((user) => (user === message.user ? setUser("") : null))
        .then(() => event.source && event.source.postMessage({ type: "forgotten" })),
    );
  }
});
