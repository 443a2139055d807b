// This device's part in offline use (docs/offline.md): the service worker, the home page's
// count of drop-ins waiting to be sent, the coachees' blank drop-in forms kept for offline
// starts, and signing out, which deletes what the device holds for the person (warning first
// if something has not been sent).
(() => {
  const outbox = window.CoachroomOutbox;
  if (!outbox) return;

  // A page opened before the worker ran (the first after signing in) went past it: ask the
  // worker to fetch it again, so it is kept if the server marks it for keeping.
  const uncontrolled = "serviceWorker" in navigator && !navigator.serviceWorker.controller;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  }

  async function unsent() {
    return (await outbox.all()).filter(outbox.waiting);
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // The home page: how many drop-ins are waiting on this device.
  const badge = document.querySelector("[data-outbox-badge]");
  async function count() {
    const waiting = (await unsent()).length;
    document.body.dataset.outboxWaiting = String(waiting); // for the browser tests to wait on
    if (!badge) return;
    badge.hidden = waiting === 0;
    badge.textContent = waiting
      ? `${plural(waiting, "drop-in", "drop-ins")} waiting to be sent from this device. ${navigator.onLine ? "Sending now." : "They will be sent when you are back online."}`
      : "";
  }
  outbox.onChange(count);
  window.addEventListener("online", count);
  window.addEventListener("offline", count);

  // The home page's "Drop in" buttons: keep each pair's blank form, so one can be started here
  // with no network (the worker opens it when the button's post cannot reach Coachroom).
  async function keepBlankForms() {
    const starts = Array.from(document.querySelectorAll("form[action$='/drop-in/']"))
      .map((f) => f.getAttribute("action").replace(/drop-in\/$/, "drop-in/new/"));
    if (uncontrolled) starts.push(window.location.pathname + window.location.search);
    if (!starts.length || !("serviceWorker" in navigator) || !navigator.onLine) return;
    const ready = await navigator.serviceWorker.ready;
    if (ready.active) ready.active.postMessage({ type: "keep", urls: starts });
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "kept") document.body.dataset.offlineKept = "true";
    });
  }

  // Signing out: warn first if drop-ins have not been sent; then delete this person's drafts
  // and kept pages from the device.
  const signOut = document.querySelector("form[data-sign-out]");
  let confirmed = false;
  function warn(waiting) {
    const main = document.querySelector("main");
    let box = document.querySelector("[data-sign-out-warning]");
    if (!box) {
      box = document.createElement("section");
      box.className = "error-summary";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-labelledby", "sign-out-warning-title");
      box.tabIndex = -1;
      box.dataset.signOutWarning = "";
      const title = document.createElement("h2");
      title.id = "sign-out-warning-title";
      title.textContent = "Not everything has been sent";
      const text = document.createElement("p");
      text.dataset.signOutText = "";
      const actions = document.createElement("div");
      actions.className = "actions";
      const stay = document.createElement("button");
      stay.type = "button";
      stay.textContent = "Stay signed in";
      stay.addEventListener("click", () => {
        box.remove();
        outbox.sendAll();
      });
      const leave = document.createElement("button");
      leave.type = "button";
      leave.className = "button--secondary";
      leave.textContent = "Sign out and delete them";
      leave.addEventListener("click", () => {
        confirmed = true;
        signOut.requestSubmit();
      });
      actions.append(stay, leave);
      box.append(title, text, actions);
      main.prepend(box);
    }
    const names = [...new Set(waiting.map((r) => r.teacher).filter(Boolean))].join(", ");
    box.querySelector("[data-sign-out-text]").textContent =
      `${plural(waiting.length, "drop-in", "drop-ins")}${names ? ` (${names})` : ""} ${waiting.length === 1 ? "is" : "are"} on this device but not yet in Coachroom. ` +
      "Signing out deletes them from this device. Stay signed in until you are back online and they have been sent, or sign out and lose them.";
    box.focus();
  }

  if (signOut) {
    signOut.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (navigator.onLine && !confirmed) await outbox.sendAll(); // send what can be sent first
      const waiting = await unsent();
      if (waiting.length && !confirmed) {
        warn(waiting);
        return;
      }
      await outbox.forget();
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "forget", user: outbox.user });
      }
      HTMLFormElement.prototype.submit.call(signOut);
    });
  }

  count();
  keepBlankForms();
  if (navigator.onLine) outbox.sendAll().then(count);
})();
