// Lesson video upload in chunks that survive a dropped connection (video/upload.py).
// Without JavaScript, or in a browser without fetch, the form posts the whole file instead.
(function () {
  "use strict";
  var form = document.querySelector("form[data-clip-upload]");
  if (!form || !window.fetch || !window.Blob || !Blob.prototype.slice) return;
  var box = form.querySelector("[data-clip-progress]");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var button = form.querySelector("button[type=submit]");
  form.setAttribute("data-clip-upload", "ready");  // the chunked uploader is in charge now

  function say(message, percent) {
    box.hidden = false;
    text.textContent = message;
    if (percent !== undefined) {
      bar.value = percent;
      bar.setAttribute("aria-valuetext", percent + "%");
    }
  }

  function wait(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  function start(file) {
    var data = new FormData(form);
    data.delete("file");
    data.set("size", String(file.size));
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {"X-Upload": "chunked", "X-CSRFToken": csrf, "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.errors || ["The upload was refused."]).join(" "));
        return body;
      });
    });
  }

  function offsetNow(state) {
    return fetch(state.chunks, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("offline");
        return response.json();
      });
  }

  function send(file, state, offset) {
    var piece = file.slice(offset, Math.min(offset + state.chunk_size, file.size));
    return fetch(state.chunks, {
      method: "PUT",
      body: piece,
      credentials: "same-origin",
      headers: {"Upload-Offset": String(offset), "X-CSRFToken": csrf, "Content-Type": "application/octet-stream"}
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status === 409) return body;  // the server has a different offset: follow it
        if (response.status >= 500) throw new Error("server");
        if (!response.ok) throw Object.assign(new Error(body.error || "Refused."), {final: true});
        return body;
      });
    });
  }

  async function upload(file) {
    var state = await start(file);
    var offset = state.offset;
    var tries = 0;
    while (offset < file.size) {
      say("Uploading: " + Math.floor((offset / file.size) * 100) + "% sent.", Math.floor((offset / file.size) * 100));
      try {
        var body = await send(file, state, offset);
        offset = body.offset;
        tries = 0;
      } catch (error) {
        if (error.final) throw error;
        tries += 1;
        say("The connection dropped. Trying again from where it stopped…");
        await wait(Math.min(30000, 1000 * tries));
        try { offset = (await offsetNow(state)).offset; } catch (ignored) { /* still offline */ }
      }
    }
    say("Uploaded. Getting the clip ready…", 100);
    window.location.assign(state.page);
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) return;  // let the server say what is missing
    event.preventDefault();
    button.disabled = true;
    upload(file).catch(function (error) {
      say(error.message || "The upload failed.");
      text.setAttribute("role", "alert");
      button.disabled = false;
    });
  });
})();
