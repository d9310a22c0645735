// Search results as you type: the search page asks itself again (debounced) and swaps its
// results in, keeping the address in step. Without JavaScript the form submits as usual.
(function () {
  "use strict";
  var form = document.querySelector("[data-search-live]");
  var region = document.querySelector("[data-search-results]");
  if (!form || !region || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var asked = 0;

  function search() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = form.getAttribute("action") + "?" + query;
    var mine = ++asked;
    fetch(url, { credentials: "same-origin" })
      .then(function (answer) { return answer.text(); })
      .then(function (html) {
        if (mine !== asked) return; // a later keystroke's answer wins
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-search-results]");
        if (!fresh) return;
        region.innerHTML = fresh.innerHTML;
        window.history.replaceState(null, "", url);
      })
      .catch(function () { /* offline for a moment: the next keystroke tries again */ });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
})();
