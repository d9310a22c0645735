// Readers' comments (progressive enhancement; the forms work without this file).
// Sending: the form goes to the JSON endpoint and the reader stays where they are.
// Reporting: the report form is posted in the background. Live: live.js hands every frame
// of the blog's stream over as a "dateline:frame" event; approved comments are placed at
// the top of the list, removed ones taken out. Words come from the page (data-words-*).
(function () {
  "use strict";
  function section() { return document.querySelector("[data-comments]"); }
  function words(name) {
    var node = section();
    return (node && node.getAttribute("data-words-" + name)) || "";
  }
  function say(form, selector, text) {
    var node = form.querySelector(selector);
    if (!node) return;
    node.textContent = text;
    node.hidden = !text;
  }
  function problemText(body) {
    if (!body || body.detail === undefined) return words("failed");
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return words("failed");
    return Object.keys(body.detail).map(function (k) { return body.detail[k]; }).join(" ");
  }

  function send(form) {
    var data = new FormData(form);
    var sent = { body: data.get("body") || "", name: data.get("name") || "", website: data.get("website") || "" };
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    say(form, "[data-comment-error]", "");
    say(form, "[data-comment-status]", "");
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(sent)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok) {
          form.reset();
          say(form, "[data-comment-status]", (body && body.message) || words("sent"));
        } else {
          say(form, "[data-comment-error]", problemText(body));
        }
      });
    }).catch(function () {
      say(form, "[data-comment-error]", words("failed"));
    }).then(function () { if (button) button.disabled = false; });
  }

  function report(form) {
    var button = form.querySelector("button");
    fetch(form.action, { method: "POST", credentials: "same-origin", body: new FormData(form) })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        var note = document.createElement("span");
        note.className = "comment__reported";
        note.setAttribute("role", "status");
        note.textContent = words("reported");
        form.replaceWith(note);
      })
      .catch(function () { if (button) button.textContent = words("failed"); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-comment-form]")) { event.preventDefault(); send(form); }
    else if (form.matches("[data-comment-report]")) { event.preventDefault(); report(form); }
  });

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }
  document.addEventListener("dateline:frame", function (event) {
    var d = event.detail;
    if (!d.comment_id) return;
    var existing = document.getElementById("comment-" + d.comment_id);
    var list = document.querySelector("[data-comment-list]");
    if (!d.comment_html) {
      if (existing) (existing.closest("li") || existing).remove();
      return;
    }
    if (existing) { existing.replaceWith(fragment(d.comment_html)); return; }
    if (!list) return;
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.appendChild(fragment(d.comment_html));
    list.insertBefore(item, list.firstChild);
  });
})();
