// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // An error summary, or news the page leads with (a token shown once), takes focus.
  const summary = document.querySelector("[data-error-summary], [data-focus-on-load]");
  if (summary) summary.focus();

  // Copy buttons: shown only where the script runs; the field stays selectable without it.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        field.select();
        copied = document.execCommand && document.execCommand("copy");
      }
      if (status) {
        status.textContent = copied
          ? button.dataset.copied || "Address copied. Paste it into your calendar app."
          : button.dataset.copyFailed || "Could not copy: select the address and copy it yourself.";
      }
    });
  });
});

// "Show earlier entries" (and anything else htmx adds that should take the reader with it):
// move focus to the first new entry, so keyboard and screen-reader users carry on from there.
document.addEventListener("htmx:afterSettle", () => {
  const added = document.querySelectorAll("[data-focus-after-swap]");
  added.forEach((element) => element.removeAttribute("data-focus-after-swap"));
  if (added.length) added[added.length - 1].focus();
});

// A create form sends once: its buttons are disabled while it is on its way (the server also
// answers a repeat of the same form, by its one-off key, with what the first made). Coming
// back to the page (Back, or htmx's answer) enables them again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.querySelector("input[name='once']")) return;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented && !form.hasAttribute("hx-post")) return; // a script sends it
  form.dataset.sending = "true";
  // Later than the submit itself: a disabled button would not send its own name and value.
  setTimeout(() => form.querySelectorAll("button").forEach((button) => { button.disabled = true; }), 0);
});

function enableForms(root) {
  root.querySelectorAll("form[data-sending]").forEach((form) => {
    delete form.dataset.sending;
    form.querySelectorAll("button").forEach((button) => { button.disabled = false; });
  });
}
window.addEventListener("pageshow", () => enableForms(document));
document.addEventListener("htmx:afterRequest", (event) => enableForms(event.detail.elt.closest("form")?.parentElement || document));
