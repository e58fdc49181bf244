// The "Print" button of a printable page (the event's results report): opens the browser's
// print dialog; the page's print stylesheet (app.css, "Printed A4 reports") lays it out on A4.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
