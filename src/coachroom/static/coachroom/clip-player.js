// The clip page: a comment's time plays the clip from there, and the comment form can take
// the player's current time. Without JavaScript, a time opens the video at it (#t=).
(function () {
  "use strict";
  function video() { return document.getElementById("clip-video"); }

  function clock(seconds) {
    var whole = Math.floor(seconds);
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function reveal() {
    if (!video()) return;
    document.querySelectorAll("[data-current-time]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var player = video();
    if (!player) return;
    var seek = event.target.closest("[data-seek]");
    if (seek) {
      event.preventDefault();
      player.currentTime = Number(seek.getAttribute("data-seek"));
      player.focus();
      player.play().catch(function () { /* the browser wants a tap first: the time is set */ });
      return;
    }
    var take = event.target.closest("[data-current-time]");
    if (take) {
      var field = take.form.querySelector("input[name=at]");
      field.value = clock(player.currentTime);
      field.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSwap", reveal);
})();
