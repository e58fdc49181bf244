// The organiser's session page (templates/matching/session/show.html):
//   <div data-load-from="URL" data-load-part="SELECTOR">   replaced by SELECTOR of the page at URL
//                                                          (the capacity check, which takes a while)
//   <a href="…/move" data-move-dialog>                      opens that meeting's move form in the page's
//                                                          <dialog id="move-dialog"> instead of leaving
// Without JavaScript the links still work: they open the capacity page and the move page.
(function () {
  "use strict";

  function fetchPart(url, selector) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (text) {
        var part = new DOMParser().parseFromString(text, "text/html").querySelector(selector);
        if (!part) { throw new Error("no " + selector); }
        return document.importNode(part, true);
      });
  }

  document.querySelectorAll("[data-load-from]").forEach(function (box) {
    fetchPart(box.getAttribute("data-load-from"), box.getAttribute("data-load-part"))
      .then(function (part) { box.replaceChildren(part); })
      .catch(function () { /* the link inside stays: it opens the page itself */ });
  });

  var dialog = document.getElementById("move-dialog");
  if (!dialog) { return; }
  var body = dialog.querySelector("[data-move-dialog-body]");

  function openMove(url) {
    return fetchPart(url, "[data-move-content]").then(function (part) {
      body.replaceChildren(part);
      // Changing the slot reloads the tables at once: its button is for pages without JavaScript.
      var button = body.querySelector("[data-move-slot-button]");
      if (button) { button.parentElement.hidden = true; }
      if (!dialog.open) { dialog.showModal(); }
      var first = body.querySelector("#move-table, #move-slot");
      if (first) { first.focus(); }
    }).catch(function () { window.location.assign(url); });
  }

  function slotUrl(form) {
    var params = new URLSearchParams(new FormData(form));
    return form.getAttribute("action") + "?" + params.toString();
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var link = target.closest("a[data-move-dialog]");
    if (link) {
      event.preventDefault();
      openMove(link.getAttribute("href"));
      return;
    }
    if (target.closest("[data-move-close], [data-move-cancel]") && dialog.contains(target)) {
      event.preventDefault();
      dialog.close();
    }
  });

  // Another slot: fetch the free tables of that slot for this meeting, in the same dialog.
  dialog.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-move-slot") && field.form) {
      openMove(slotUrl(field.form));
    }
  });
  dialog.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-move-slot-form")) {
      event.preventDefault();
      openMove(slotUrl(form));
    }
  });
  dialog.addEventListener("close", function () { body.replaceChildren(); });
})();
