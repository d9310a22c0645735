// The moderation queue stays current without a reload: the blog's public event stream says
// when a comment came in, was reported or was decided (never what it says), and the queue is
// then fetched again from the team's own address, which needs the editor's session.
(function () {
  "use strict";
  var box = document.querySelector("[data-comment-queue]");
  if (!box || !window.EventSource) return;
  var slug = box.getAttribute("data-slug");
  var since = box.getAttribute("data-seq") || "0";
  var KINDS = ["comment.queued", "comment.approved", "comment.removed"];
  var busy = false, again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    // Answers being typed are kept: the queue is replaced only when nobody is writing.
    var typing = box.querySelector("textarea:focus") || Array.prototype.some.call(
      box.querySelectorAll("textarea"), function (t) { return t.value; });
    if (typing) { busy = false; setTimeout(refresh, 5000); return; }
    fetch(box.getAttribute("data-queue-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }

  var source = new EventSource("/live/" + slug + "/events?since=" + since);
  KINDS.forEach(function (kind) { source.addEventListener(kind, refresh); });
})();
