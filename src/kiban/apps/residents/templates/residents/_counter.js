/* Counter (窓口) pages: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Shortcuts: Alt + the element's accesskey, the same in every browser and on every OS (browsers disagree on the
  // modifier of native accesskeys: Alt, Alt+Shift, Ctrl+Option). A link or button is pressed, a field focused.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
    var code = event.code || "";
    if (code.indexOf("Key") !== 0) { return; }
    var target = document.querySelector('[accesskey="' + code.slice(3).toLowerCase() + '"]');
    if (!target || target.hidden || target.disabled) { return; }
    event.preventDefault();
    if (target.matches("a, button")) { target.click(); } else { target.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // The print button on the done page (hidden without JavaScript; Ctrl+P prints the same page).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // 住所辞書 (標準仕様書 1.3.3): a postal code typed into a form fills its empty address field from the dictionary
    // (the municipality's own towns first); the clerk completes the 番地. Without JavaScript the field is typed.
    document.querySelectorAll('form[data-address-lookup] input[name="postal_code"]').forEach(function (postal) {
      var lookup = postal.form.dataset.addressLookup;
      var address = postal.form.querySelector('input[name="address"]');
      if (!address) { return; }
      postal.addEventListener("change", function () {
        var digits = postal.value.replace(/[^0-9０-９]/g, "");
        if (digits.length !== 7 || address.value.trim()) { return; }
        fetch(lookup + "?postal_code=" + encodeURIComponent(digits), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { addresses: [] }; })
          .then(function (found) {
            if (found.addresses.length && !address.value.trim()) {
              address.value = found.addresses[0].address;
              address.dispatchEvent(new Event("change"));  // e.g. the 方書 choices of that address
            }
          })
          .catch(function () { /* the clerk types the address */ });
      });
    });
    // 方書入力補助 (標準仕様書 4.0.7): the buildings the 方書マスタ has at the address typed become the choices of the
    // 方書 field (a datalist: the clerk may still type another). Never the other way round (実装しない機能).
    document.querySelectorAll("form[data-building-lookup]").forEach(function (form) {
      var address = form.querySelector('input[name="address"]');
      var choices = document.getElementById("building-candidates");
      if (!address || !choices) { return; }
      var offer = function () {
        var typed = address.value.trim();
        if (!typed) { choices.replaceChildren(); return; }
        fetch(form.dataset.buildingLookup + "?address=" + encodeURIComponent(typed), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { buildings: [] }; })
          .then(function (found) {
            choices.replaceChildren.apply(choices, found.buildings.map(function (name) {
              var option = document.createElement("option");
              option.value = name;
              return option;
            }));
          })
          .catch(function () { /* the clerk types the building */ });
      };
      address.addEventListener("change", offer);
      offer();
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
