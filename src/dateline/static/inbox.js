// The editor's inbox updates itself: every 10 s it asks for the list again (the server
// answers 304 while nothing changed) and swaps it in. Without JavaScript, reload the page.
(function () {
  "use strict";
  var region = document.querySelector("[data-inbox]");
  if (!region || !window.fetch) return;
  var url = region.getAttribute("data-inbox");
  var etag = null;
  var title = document.title;

  function refresh() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, credentials: "same-origin" })
      .then(function (answer) {
        if (answer.status !== 200) return null;
        etag = answer.headers.get("ETag");
        return answer.text();
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        var old = region.querySelector("[data-inbox-items]");
        var before = old ? old.querySelectorAll(".inbox__item").length : 0;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-inbox-items]");
        if (!fresh || !old) return;
        old.replaceWith(fresh);
        var added = fresh.querySelectorAll(".inbox__item").length - before;
        if (added > 0 && document.hidden) document.title = "(" + added + " new) " + title;
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) document.title = title;
  });
  window.setInterval(refresh, 10000);
})();
