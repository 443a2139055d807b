// The drop-in form, offline first: every change goes to this device's outbox at once (so a
// reload, a closed browser or a lost connection loses nothing), then to Coachroom when it can.
// The status line says where the notes are. Without this script the form posts as it always
// has.
(() => {
  const outbox = window.CoachroomOutbox;
  const form = document.querySelector("form[data-offline-drop-in]");
  if (!outbox || !form) return;
  const status = form.querySelector("#autosave-status");
  const errors = form.querySelector("[data-sync-errors]");
  const conflict = form.querySelector("[data-conflict]");
  const SKIP = new Set(["csrfmiddlewaretoken", "once", "version", "client_id", "draft"]);
  const TAB = outbox.newKey();
  const pair = Number(form.dataset.pair);
  const pageId = form.dataset.id ? Number(form.dataset.id) : null;
  const pageVersion = Number(form.dataset.version || 1);
  let clientId = "";
  let writing = 0;
  let timer = null;
  let submitting = false;

  function fields() {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || SKIP.has(el.name) || el.name.startsWith("initial-")) continue;
      if (el.type === "submit" || el.type === "button") continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      values[el.name] = el.value;
    }
    return values;
  }

  function fill(values) {
    for (const el of form.elements) {
      if (!el.name || SKIP.has(el.name) || el.type === "submit" || el.type === "button") continue;
      if (el.type === "radio") el.checked = values[el.name] === el.value;
      else if (el.name in values) el.value = values[el.name];
    }
  }

  const SAYS = {
    local: (r) => (navigator.onLine ? "Saving…" : `Saved on this phone at ${r.changedAt}. It will be sent when you are back online.`),
    saving: () => "Saving…",
    saved: (r) => `Saved at ${r.savedAt}`,
    offline: (r) => `Saved on this phone at ${r.changedAt}. It will be sent when you are back online.`,
    retry: (r) => `Not saved — will retry. Kept on this phone since ${r.changedAt}.`,
    signin: (r) => `Not saved — sign in again to send it. Kept on this phone since ${r.changedAt}.`,
    conflict: () => "Not saved — two versions: choose which to keep.",
    invalid: (r) => `Saved as a draft at ${r.savedAt}. Not submitted: see the problem above.`,
  };

  function show(record) {
    if (!record) return;
    const says = SAYS[record.state];
    if (says) status.textContent = says(record);
    const version = form.querySelector("input[name=version]");
    if (version && record.base) version.value = record.base;
    if (record.state === "conflict") showConflict(record);
    if (record.state === "invalid") showErrors(record.errors || {});
  }

  function label(name, value) {
    const el = form.elements.namedItem(name);
    const first = el && (el.length !== undefined && !el.tagName ? el[0] : el);
    if (!first) return [name, value];
    const group = first.closest("fieldset");
    const legend = group && group.querySelector("legend");
    const own = form.querySelector(`label[for="${first.id}"]`);
    if (first.type === "radio") {
      const option = Array.from(el).find((radio) => radio.value === value);
      const optionLabel = option && form.querySelector(`label[for="${option.id}"]`);
      return [`${legend ? legend.textContent.trim() : name}`, optionLabel ? optionLabel.textContent.trim() : value || "—"];
    }
    const when = /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value)
      ? new Date(value).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })
      : value;
    return [own ? own.childNodes[0].textContent.trim() : name, when];
  }

  // The fields the two versions differ in (all of them, if they differ in none shown here).
  function listOf(values, other) {
    const list = document.createElement("dl");
    list.className = "summary";
    const names = new Set([...Object.keys(values), ...Object.keys(other)]);
    const differ = [...names].filter((n) => !n.startsWith("initial-") && (values[n] || "") !== (other[n] || ""));
    (differ.length ? differ : [...names]).forEach((name) => {
      const value = values[name] || "";
      const [term, shown] = label(name, value);
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = shown || "(nothing)";
      list.append(dt, dd);
    });
    return list;
  }

  function showConflict(record) {
    const mine = record.fields || {};
    const theirs = record.server || {};
    conflict.querySelector("[data-conflict-mine]").replaceChildren(listOf(mine, theirs));
    conflict.querySelector("[data-conflict-theirs]").replaceChildren(listOf(theirs, mine));
    if (conflict.hidden) {
      conflict.hidden = false;
      conflict.focus();
    }
  }

  function showErrors(found) {
    const list = errors.querySelector("ul");
    list.replaceChildren();
    Object.entries(found).forEach(([name, messages]) => {
      messages.forEach((message) => {
        const item = document.createElement("li");
        const target = form.querySelector(`[name="${name}"]`);
        if (target && target.id) {
          const link = document.createElement("a");
          link.href = `#${target.id}`;
          link.textContent = message;
          item.append(link);
        } else {
          item.textContent = message;
        }
        list.append(item);
      });
    });
    errors.hidden = false;
    errors.focus();
  }

  function same(a, b) {
    const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
    return [...keys].every((key) => (a || {})[key] === (b || {})[key]);
  }

  // Keep the form on the device; a change event that changed nothing (leaving a field) is not
  // a change.
  async function write(extra = {}) {
    writing += 1;
    const values = fields();
    try {
      const record = await outbox.update(clientId, (r) => (r && !extra.submit && same(r.fields, values) ? undefined : {
        base: pageVersion,
        unconfirmed: "",
        savedAt: "",
        submit: false,
        ...r,
        clientId,
        id: (r && r.id) || pageId,
        pair,
        teacher: form.dataset.teacher,
        syncUrl: form.dataset.syncUrl,
        fields: values,
        dirty: true,
        saveKey: outbox.newKey(),
        changedAt: outbox.now(),
        tab: TAB,
        state: r && r.state === "conflict" ? "conflict" : "local",
        ...extra,
      }));
      show(record || (await outbox.get(clientId)));
    } finally {
      writing -= 1;
    }
  }

  async function sendNow() {
    clearTimeout(timer);
    const { record, answer } = await outbox.sendNow(clientId);
    if (answer && answer.outcome === "submitted") {
      window.location.assign(answer.detail_url);
      return;
    }
    if (record && record.id) form.dataset.id = record.id;
    show(record);
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(sendNow, 1000);
  }

  async function changed() {
    errors.hidden = true;
    await write();
    later();
  }

  async function save(event) {
    event.preventDefault();
    if (submitting) return; // a double tap sends once
    const draftOnly = event.submitter && event.submitter.classList.contains("button--secondary");
    submitting = !draftOnly;
    errors.hidden = true;
    await write(draftOnly ? {} : { submit: true });
    await sendNow();
    submitting = false;
  }

  async function keep(which) {
    const record = await outbox.get(clientId);
    if (!record) return;
    if (which === "theirs") fill(record.server || {});
    await outbox.update(clientId, (r) => r && {
      ...r,
      fields: which === "theirs" ? r.server : r.fields,
      base: r.serverVersion,
      dirty: which !== "theirs",
      submit: which === "theirs" ? false : r.submit,
      saveKey: which === "theirs" ? "" : outbox.newKey(),
      unconfirmed: "",
      server: null,
      state: which === "theirs" ? "saved" : "local",
    });
    conflict.hidden = true;
    form.querySelector("textarea").focus();
    if (which === "mine") await sendNow();
    else show(await outbox.get(clientId));
  }

  // Which record this page is: its own drop-in's, or (a blank form) the pair's unsent draft.
  async function start() {
    const records = await outbox.all();
    const given = form.dataset.clientId;
    let record = records.find((r) => (given && r.clientId === given) || (pageId && r.id === pageId));
    if (!record && !pageId) record = records.find((r) => r.pair === pair && !r.submit);
    clientId = (record && record.clientId) || given || outbox.newKey();
    const hidden = form.querySelector("input[name=client_id]");
    if (hidden) hidden.value = clientId;
    if (record && (outbox.waiting(record) || record.state === "conflict" || (record.base || 1) >= pageVersion)) {
      fill(record.fields || {});
      show(record);
      if (outbox.waiting(record)) later();
    } else if (record) {
      // Saved in Coachroom since this device last sent it (another device): the page is newer.
      await outbox.update(clientId, (r) => r && { ...r, fields: fields(), base: pageVersion, dirty: false, state: "saved" });
    }
  }

  start().then(() => {
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", save);
    conflict.querySelectorAll("[data-keep]").forEach((button) => button.addEventListener("click", () => keep(button.dataset.keep)));
    form.dataset.offlineReady = "true";
  });

  // Sent from elsewhere on this page (back online, a retry): say so; once Coachroom confirms
  // the submit, go to the saved drop-in.
  outbox.onChange((changedId, record, answer) => {
    if (changedId !== clientId) return;
    if (record) show(record);
    else if (answer && answer.outcome === "submitted") window.location.assign(answer.detail_url);
  });

  // Another tab may have typed in the same drop-in: show the device's copy on coming back.
  document.addEventListener("visibilitychange", async () => {
    if (document.visibilityState !== "visible" || !clientId) return;
    const record = await outbox.get(clientId);
    if (record && record.tab !== TAB) fill(record.fields || {});
  });

  window.addEventListener("beforeunload", (event) => {
    if (writing > 0) event.preventDefault(); // the last keystrokes are not on the device yet
  });
})();
