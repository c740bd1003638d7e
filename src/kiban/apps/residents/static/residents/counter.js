/* Counter (窓口) pages: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The print button on the done page (hidden without JavaScript; Ctrl+P prints the same page).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // A wizard form submits once: a second Enter or click while the first request runs is ignored. (The server
    // is idempotent anyway: the request id makes a repeated confirmation record nothing new.)
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting) { event.preventDefault(); return; }
        form.dataset.submitting = "1";
      });
    });
    // After a refused entry, focus the first field with an error, so the clerk can correct it at once.
    var invalid = document.querySelector(".has-error input, .has-error select");
    if (invalid) { invalid.focus(); }
  });
})();
