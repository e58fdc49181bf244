// Small behaviours of forms and buttons, wired by data-attributes instead of inline handlers
// (the Content-Security-Policy runs no onclick="..."; app/security_headers.py):
//   <form data-confirm="Remove this meeting?">  asks first; "Cancel" keeps the form unsent
//   <form data-disable-on-submit>               disables its button once sent (no second click)
//   <select data-autosubmit>                    sends its form when the choice changes
//   <button data-print>                         opens the print dialog
//   <input data-select-on-focus>                selects its text when focused (an address to copy)
//   <input type="checkbox" data-check-all="input[name=ids]:not(:disabled)">  ticks or unticks them all
//   <a data-plan-booth> (a booth on a floor plan, app/booths/plan/svg.py)  Space opens it, as Enter does
//   <div data-error-summary> (macros.html form_errors) after a failed submit: the focus goes to the
//     first field marked aria-invalid="true" (or to the summary), and the summary's links
//     <a data-focus-field="id"> put the focus in their field
// Listeners sit on the document, so markup added later behaves the same.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var question = form.getAttribute("data-confirm");
    if (question !== null && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-disable-on-submit") && !event.defaultPrevented) {
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
    }
  });

  document.addEventListener("keydown", function (event) {
    var booth = event.target instanceof Element ? event.target.closest("[data-plan-booth]") : null;
    if (booth && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault();  // not a scroll of the page
      booth.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    }
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var link = target.closest("[data-focus-field]");
    if (link) {
      var field = document.getElementById(link.getAttribute("data-focus-field"));
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({block: "center"});
      }
      return;
    }
    if (target.closest("[data-print]")) {
      window.print();
      return;
    }
    var selector = target.getAttribute("data-check-all");
    if (selector !== null && target instanceof HTMLInputElement) {
      document.querySelectorAll(selector).forEach(function (box) { box.checked = target.checked; });
    }
  });

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
      field.select();
    }
  });

  function focusFirstInvalidField() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    var field = document.querySelector("form [aria-invalid=true]");
    if (field && typeof field.focus === "function") {
      field.focus();
    } else {
      summary.focus();
    }
  }

  // A page seen signed out (after signing out, or once the session has ended) removes the phone
  // apps' cached pages (check-in app, lead app), so that the next person on a shared phone can't
  // open the last account's app offline. The apps' own pages do more (their downloaded data too)
  // in offline-app.js; the check-ins waiting on the phone (IndexedDB) stay.
  if (window.caches && !document.getElementById("usermenu")) {
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key.indexOf("ocopfair-") === 0; })
        .map(function (key) { return caches.delete(key); }));
    }).catch(function () { return null; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstInvalidField);
  } else {
    focusFirstInvalidField();
  }
})();
