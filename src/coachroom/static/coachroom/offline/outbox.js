// The outbox: drop-ins kept on this device until Coachroom confirms them (docs/offline.md).
//
// Each signed-in person has their own IndexedDB database ("coachroom-" + their device key,
// from <body data-offline-user>), so a shared device never mixes people's drafts. A record is a
// drop-in as its form holds it, with the id the device gave it (clientId), the server version
// it was last based on, and a one-off key for its pending save. Only one tab sends at a time
// (a Web Lock), and each send reads the record afresh, so two tabs make one drop-in.
(() => {
  const user = document.body && document.body.dataset.offlineUser;
  if (!user || !("indexedDB" in window)) return;
  const STORE = "drafts";
  const DATABASE = `coachroom-${user}`;
  const listeners = new Set();

  function request(idbRequest) {
    return new Promise((resolve, reject) => {
      idbRequest.onsuccess = () => resolve(idbRequest.result);
      idbRequest.onerror = () => reject(idbRequest.error);
    });
  }

  let opened = null;
  let forgotten = false; // signed out: nothing may make the database again
  function database() {
    if (forgotten) return Promise.reject(new Error("Signed out"));
    if (!opened) {
      const open = indexedDB.open(DATABASE, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "clientId" });
      opened = request(open).then((db) => {
        db.onversionchange = () => db.close(); // signing out deletes it
        return db;
      });
    }
    return opened;
  }

  // Read a record, change it, write it back, in one transaction: typing in one tab and a
  // send finishing in another never overwrite each other's changes.
  async function update(clientId, change, answer = null) {
    const db = await database();
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const record = await request(store.get(clientId));
    const changed = change(record);
    if (changed === null) store.delete(clientId);
    else if (changed) store.put(changed);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    listeners.forEach((listener) => listener(clientId, changed, answer));
    return changed;
  }

  async function get(clientId) {
    const db = await database();
    return request(db.transaction(STORE).objectStore(STORE).get(clientId));
  }

  async function all() {
    const db = await database();
    return request(db.transaction(STORE).objectStore(STORE).getAll());
  }

  function waiting(record) {
    return Boolean(record && (record.dirty || record.submit));
  }

  function newKey() {
    return crypto.randomUUID();
  }

  function now() {
    return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch {
      return "";
    }
  }

  // A page kept from before a sign-in carries an old token: ask for the home page's.
  async function freshToken() {
    const response = await fetch("/", { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const input = page.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  let token = "";
  async function post(url, record, sending) {
    const body = new URLSearchParams();
    Object.entries(record.fields || {}).forEach(([name, value]) => body.append(name, value));
    body.set("client_id", record.clientId);
    if (record.id) body.set("id", record.id);
    if (record.pair) body.set("pair", record.pair);
    body.set("base_version", record.base || 1);
    body.set("save_key", sending);
    if (record.unconfirmed && record.unconfirmed !== sending) body.set("previous_key", record.unconfirmed);
    if (record.submit) body.set("submit", "on");
    for (let attempt = 0; attempt < 2; attempt += 1) {
      body.set("csrfmiddlewaretoken", token || csrfToken());
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status !== 403 || attempt) return response;
      token = await freshToken();
    }
    return null;
  }

  // Send one record's pending save; the answer decides what the device keeps.
  async function send(clientId) {
    const record = await get(clientId);
    if (!waiting(record) || record.state === "conflict") return { record, answer: null };
    const sending = record.saveKey || newKey();
    await update(clientId, (r) => r && { ...r, saveKey: sending, unconfirmed: r.unconfirmed || "", state: "saving" });
    let response;
    try {
      response = await post(record.syncUrl, record, sending);
    } catch {
      const state = navigator.onLine ? "retry" : "offline";
      return update(clientId, (r) => r && { ...r, unconfirmed: sending, state }).then((r) => ({ record: r, answer: null }));
    }
    const answer = response && (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : null;
    if (!answer || response.redirected) {
      const state = response && (response.redirected || response.status === 403) ? "signin" : "retry";
      return update(clientId, (r) => r && { ...r, unconfirmed: sending, state }).then((r) => ({ record: r, answer: null }));
    }
    return settle(clientId, sending, answer);
  }

  function settle(clientId, sent, answer) {
    return update(clientId, (r) => {
      if (!r) return undefined;
      const same = r.saveKey === sent; // nothing typed while it was on its way
      const base = { ...r, id: answer.id, unconfirmed: "", savedAt: answer.saved_at, detailUrl: answer.detail_url };
      if (answer.outcome === "submitted") return null; // confirmed by Coachroom: forget it
      if (answer.outcome === "saved") {
        return { ...base, base: answer.version, dirty: !same, saveKey: same ? "" : r.saveKey, state: same ? "saved" : "local" };
      }
      if (answer.outcome === "conflict") {
        return { ...base, state: "conflict", server: answer.server, serverVersion: answer.version };
      }
      if (answer.outcome === "invalid") {
        return { ...base, base: answer.version, submit: false, dirty: !same, saveKey: same ? "" : r.saveKey, state: "invalid", errors: answer.errors };
      }
      return { ...r, state: "retry" };
    }, answer).then((record) => ({ record, answer }));
  }

  let timer = null;
  let delay = 4000;
  async function sendAll() {
    const pending = (await all()).filter((r) => waiting(r) && r.state !== "conflict");
    if (!pending.length) return;
    const run = async () => {
      for (const record of pending) await send(record.clientId);
    };
    if (navigator.locks) await navigator.locks.request(`${DATABASE}-send`, run);
    else await run();
    const left = (await all()).filter((r) => waiting(r) && r.state !== "conflict");
    clearTimeout(timer);
    if (left.length) {
      timer = setTimeout(sendAll, delay);
      delay = Math.min(delay * 2, 60000);
    } else {
      delay = 4000;
    }
  }

  // One tab sends at a time; the caller gets the answer for its own record.
  async function sendNow(clientId) {
    const run = () => send(clientId);
    const result = navigator.locks ? await navigator.locks.request(`${DATABASE}-send`, run) : await run();
    if (result && result.record && waiting(result.record)) {
      clearTimeout(timer);
      timer = setTimeout(sendAll, delay);
    }
    return result;
  }

  async function forget() {
    forgotten = true;
    clearTimeout(timer);
    if (opened) (await opened).close();
    opened = null;
    await request(indexedDB.deleteDatabase(DATABASE)).catch(() => undefined);
    if ("caches" in window) await caches.delete(`coachroom-pages-${user}`);
  }

  window.addEventListener("online", () => {
    delay = 4000;
    sendAll();
  });

  window.CoachroomOutbox = {
    user,
    get,
    all,
    update,
    waiting,
    newKey,
    now,
    sendNow,
    sendAll,
    forget,
    onChange: (listener) => listeners.add(listener),
  };
})();
