// Progressive enhancement for /live/{slug}: the page works fully without this file.
// On a wide screen the recap and key events, folded for phones in the HTML, are opened.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 960px)").matches) return;
  var folds = document.querySelectorAll("details.fold");
  for (var i = 0; i < folds.length; i++) folds[i].open = true;
})();

// The "Show key events only" switch filters at once, then loads the filtered page
// from the server (the same URL the plain link goes to) and keeps the address bar in sync.
(function () {
  "use strict";
  var region = document.querySelector("[data-stream-region]");
  if (!region || !window.fetch || !window.history || !window.DOMParser) return;

  function toggleOf(root) { return root.querySelector("[data-key-events-toggle]"); }

  function swapIn(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-stream-region]");
    if (!fresh) return false;
    region.replaceWith(fresh);
    region = fresh;
    return true;
  }

  function load(url, push) {
    var on = new URL(url, location.href).searchParams.get("filter") === "key-events";
    region.classList.toggle("stream--key-only", on);   // instant feedback before the fetch
    var toggle = toggleOf(region);
    toggle.setAttribute("aria-checked", on ? "true" : "false");
    if (push) history.pushState({ dateline: true }, "", url);
    region.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (!swapIn(html)) return location.assign(url);
        toggleOf(region).focus();
        document.dispatchEvent(new CustomEvent("dateline:stream-replaced"));
      })
      .catch(function () { location.assign(url); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-key-events-toggle]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    load(link.href, true);
  });

  document.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest("[data-key-events-toggle]");
    if (link && event.key === " ") { event.preventDefault(); load(link.href, true); }
  });

  // Only history entries made here change the filter; an in-page #anchor link (the skip
  // link, the key events list) fires popstate too and must not reload anything.
  window.addEventListener("popstate", function () {
    var wanted = new URL(location.href).searchParams.get("filter") === "key-events";
    var shown = toggleOf(region).getAttribute("aria-checked") === "true";
    if (wanted !== shown) load(location.href, false);
  });
})();
