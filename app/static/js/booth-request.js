// The booth request form's hall plan: click (or Enter / Space on) a free booth to make it the
// next preference, click it again to take it back. The three preference lists stay the form's
// fields (they work without this script); the plan and the ranked list beside it only fill them.
//   <section data-booth-picker data-msg-*="...">   messages, with {booth} and {rank} to fill
//     <g data-booth-id="12" data-booth-type="3" role="button">   a free booth on the plan
//     <div data-picked hidden> <ol data-picked-list> ...          the ranking, shown by this script
(function () {
  "use strict";

  var picker = document.querySelector("[data-booth-picker]");
  if (!picker) { return; }
  var form = picker.closest("form");
  var typeSelect = form.querySelector("#booth_type");
  var selects = [1, 2, 3].map(function (rank) { return form.querySelector("#preference_" + rank); });
  var list = picker.querySelector("[data-picked-list]");
  var empty = picker.querySelector("[data-picked-empty]");
  var status = picker.querySelector("[data-picker-status]");
  var booths = Array.prototype.slice.call(picker.querySelectorAll("[data-booth-id]"));
  var SVG = "http://www.w3.org/2000/svg";

  picker.querySelector("[data-picked]").hidden = false;

  function message(name, values) {
    var text = picker.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function say(text) { status.textContent = text; }

  function preferences() {
    return selects.map(function (select) { return select.value; }).filter(Boolean);
  }

  function optionFor(value) {
    for (var i = 0; i < selects[0].options.length; i += 1) {
      if (selects[0].options[i].value === value) { return selects[0].options[i]; }
    }
    return null;
  }

  function textOf(value) {
    var option = optionFor(value);
    return option ? option.textContent.trim() : value;
  }

  function codeOf(value) {
    var booth = boothFor(value);
    return booth ? booth.getAttribute("data-code") : textOf(value);
  }

  function boothFor(value) {
    if (value.indexOf("booth:") !== 0) { return null; }
    return picker.querySelector('[data-booth-id="' + value.slice(6) + '"]');
  }

  function typeOf(value) {
    var option = optionFor(value);
    return option ? option.getAttribute("data-booth-type") : null;
  }

  function fitsType(type) {
    return !typeSelect.value || type === null || type === typeSelect.value;
  }

  function setPreferences(values) {
    selects.forEach(function (select, i) { select.value = values[i] || ""; });
    render();
  }

  // The rank in a round badge on the booth's top right corner.
  function drawRank(booth, rank) {
    var old = booth.querySelector(".rank-badge");
    if (old) { old.remove(); }
    if (!rank) { return; }
    var rect = booth.querySelector("rect");
    var right = parseFloat(rect.getAttribute("x")) + parseFloat(rect.getAttribute("width"));
    var top = parseFloat(rect.getAttribute("y"));
    var side = Math.min(parseFloat(rect.getAttribute("width")), parseFloat(rect.getAttribute("height")));
    var badge = document.createElementNS(SVG, "g");
    badge.setAttribute("class", "rank-badge");
    badge.setAttribute("aria-hidden", "true");
    var circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("cx", String(right));
    circle.setAttribute("cy", String(top));
    circle.setAttribute("r", String(side * 0.26));
    var digit = document.createElementNS(SVG, "text");
    digit.setAttribute("x", String(right));
    digit.setAttribute("y", String(top));
    digit.setAttribute("text-anchor", "middle");
    digit.setAttribute("dominant-baseline", "central");
    digit.setAttribute("font-size", String(side * 0.34));
    digit.textContent = String(rank);
    badge.appendChild(circle);
    badge.appendChild(digit);
    booth.appendChild(badge);
  }

  function render() {
    var chosen = preferences();
    booths.forEach(function (booth) {
      var rank = chosen.indexOf("booth:" + booth.getAttribute("data-booth-id")) + 1;
      var fits = fitsType(booth.getAttribute("data-booth-type"));
      booth.classList.toggle("picked", rank > 0);
      booth.classList.toggle("other-type", !fits);
      booth.setAttribute("aria-pressed", rank > 0 ? "true" : "false");
      if (fits) {
        booth.setAttribute("tabindex", "0");
        booth.removeAttribute("aria-disabled");
      } else {
        booth.setAttribute("tabindex", "-1");
        booth.setAttribute("aria-disabled", "true");
      }
      drawRank(booth, rank);
    });
    selects.forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        var type = option.getAttribute("data-booth-type");
        option.disabled = type !== null && !fitsType(type);
      });
    });
    list.textContent = "";
    chosen.forEach(function (value, i) {
      var item = document.createElement("li");
      item.className = "list-group-item d-flex justify-content-between align-items-start gap-2";
      item.setAttribute("data-preference", value);
      var label = document.createElement("span");
      label.className = "me-auto text-break";
      label.textContent = textOf(value);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-outline-secondary";
      remove.setAttribute("data-remove-preference", String(i));
      remove.setAttribute("aria-label", message("remove", { booth: codeOf(value) }));
      remove.textContent = picker.getAttribute("data-label-remove");
      item.appendChild(label);
      item.appendChild(remove);
      list.appendChild(item);
    });
    empty.hidden = chosen.length > 0;
  }

  function toggle(booth) {
    if (booth.getAttribute("aria-disabled") === "true") { return; }
    if (!typeSelect.value) { typeSelect.value = booth.getAttribute("data-booth-type"); }
    var value = "booth:" + booth.getAttribute("data-booth-id");
    var chosen = preferences();
    var at = chosen.indexOf(value);
    var code = booth.getAttribute("data-code");
    if (at >= 0) {
      chosen.splice(at, 1);
      say(message("removed", { booth: code }));
    } else if (chosen.length >= selects.length) {
      say(message("full"));
      return;
    } else {
      chosen.push(value);
      say(message("added", { booth: code, rank: chosen.length }));
    }
    setPreferences(chosen);
  }

  picker.addEventListener("click", function (event) {
    var booth = event.target.closest("[data-booth-id]");
    if (booth) { toggle(booth); return; }
    var remove = event.target.closest("[data-remove-preference]");
    if (!remove) { return; }
    var chosen = preferences();
    var at = parseInt(remove.getAttribute("data-remove-preference"), 10);
    var gone = chosen.splice(at, 1)[0];
    setPreferences(chosen);
    say(message("removed", { booth: codeOf(gone) }));
    var next = list.querySelectorAll("[data-remove-preference]");
    (next[Math.min(at, next.length - 1)] || picker.querySelector("#picked-heading")).focus();
  });

  picker.addEventListener("keydown", function (event) {
    var booth = event.target.closest("[data-booth-id]");
    if (!booth || (event.key !== "Enter" && event.key !== " ")) { return; }
    event.preventDefault();
    toggle(booth);
  });

  // A new type keeps only the preferences that fit it (a zone fits any type).
  typeSelect.addEventListener("change", function () {
    setPreferences(preferences().filter(function (value) { return fitsType(typeOf(value)); }));
  });
  selects.forEach(function (select) { select.addEventListener("change", render); });

  render();
})();
