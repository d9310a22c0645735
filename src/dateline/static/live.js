// Live updates for /live/{slug} over Server-Sent Events (progressive enhancement).
// The server sends each change with its HTML already rendered; this file only places it.
// A frame carries only what its change touched: the update, its own entry of the key
// events list, the pinned box when that update is pinned, the recap when it changed;
// and the filter bar's count as it now stands.
// Falls back to polling /live/{slug}/changes when EventSource is missing or blocked.
// On the editor's page (data-desk: realtime/editor_changes.py) an event only says that
// something changed: the page asks the desk address for the changes rendered as this editor
// sees them (with controls) and for the drafts box, and asks every POLL_MS for new drafts,
// which are never in the public stream.
(function () {
  "use strict";
  var article = document.querySelector("[data-liveblog]");
  if (!article || !document.querySelector("[data-stream-region]")) return;
  var slug = article.getAttribute("data-liveblog");
  var desk = article.getAttribute("data-desk");
  // Every word this file shows comes from the page, rendered by the server in the page's
  // language (data-words-*); relative ages are worded by the browser in that language.
  function words(name) { return article.getAttribute("data-words-" + name) || ""; }
  var ages = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "always" })
    : null;
  // update.facts: the facts worker read an update and a "Suggested key event" mark came or
  // went (facts/worker.py); only the editor's page shows such marks.
  var KINDS = ["update.published", "update.edited", "update.deleted", "update.key_event",
    "update.pinned", "recap.changed", "blog.ended", "comment.approved", "comment.removed",
    "update.facts"];
  var POLL_MS = 10000;
  var baseTitle = document.title;
  var state = {
    seq: 0, filter: "", page: 1, source: null, timer: null, pending: [], ended: false, behind: false
  };

  function region() { return document.querySelector("[data-stream-region]"); }
  function readRegion() {
    var r = region();
    state.seq = Math.max(state.seq, parseInt(r.getAttribute("data-seq"), 10) || 0);
    state.filter = r.getAttribute("data-filter") || "";
    state.page = parseInt(r.getAttribute("data-page"), 10) || 1;
  }
  function query() { return "since=" + state.seq + (state.filter ? "&filter=key-events" : ""); }

  function status(text) {
    var node = document.querySelector("[data-connection]");
    if (!node) return;
    node.textContent = text;
    node.hidden = !text;
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }
  function setSlot(selector, html) {
    var slot = document.querySelector(selector);
    if (slot) slot.innerHTML = html;
  }

  // Placing updates ---------------------------------------------------------------------
  function timeOf(node) {
    var time = node.querySelector("time[datetime]");
    return time ? Date.parse(time.getAttribute("datetime")) : 0;
  }
  // Newest first; the same instant is ordered by id, as the server does.
  function newer(when, id, t, otherId) { return t < when || (t === when && otherId < id); }
  // The update a key-events entry or the pinned box is about: its own link's
  // /live/{slug}/updates/{id} (not a link an editor put in the text).
  function linkedId(node, selector) {
    var link = node.querySelector(selector);
    var found = link && /\/updates\/(\d+)$/.exec(link.getAttribute("href"));
    return found ? parseInt(found[1], 10) : 0;
  }
  var ENTRY_LINK = ":scope > a", PINNED_LINK = ".pinned__body > p > a";
  function insert(article, highlight) {
    var list = document.querySelector("[data-updates]");
    if (!list) return;
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.appendChild(article);
    var when = timeOf(article);
    var id = parseInt(article.getAttribute("data-update-id"), 10) || 0;
    var before = Array.prototype.find.call(list.children, function (li) {
      var other = li.querySelector("article");
      if (!other) return false;
      return newer(when, id, timeOf(li), parseInt(other.getAttribute("data-update-id"), 10) || 0);
    });
    list.insertBefore(item, before || null);
    if (highlight) {
      article.classList.add("update--new");
      setTimeout(function () { article.classList.remove("update--new"); }, 4000);
    }
  }
  function readerAtTop() {
    var r = region();
    return !document.hidden && r.getBoundingClientRect().top > -80;
  }
  function showPending() {
    var button = document.querySelector("[data-new-updates]");
    var n = state.pending.length;
    document.title = n ? "(" + n + ") " + baseTitle : baseTitle;
    if (!button) return;
    button.hidden = !n;
    button.textContent = n === 1 ? words("new-one") : words("new-many").replace("{n}", n);
  }
  function revealPending() {
    state.pending.splice(0).forEach(function (node) { insert(node, true); });
    showPending();
    region().scrollIntoView({ block: "start" });
  }
  function addNew(article) {
    if (readerAtTop()) insert(article, true);
    else { state.pending.push(article); showPending(); }
  }

  function applyUpdate(d) {
    var existing = document.getElementById("update-" + d.update_id);
    var belongs = !!d.html && (!state.filter || d.key_event);
    state.pending = state.pending.filter(function (node) { return node.id !== "update-" + d.update_id; });
    if (existing) {
      var item = existing.closest("li") || existing;
      if (belongs) existing.replaceWith(fragment(d.html));
      else item.remove();
    } else if (belongs && state.page === 1) {
      addNew(fragment(d.html));
    }
    showPending();
  }

  // The key events list: key_event_html is the list holding just this update's entry, or
  // null when the update is no key event (any more). The server renders nothing for an
  // empty list, so neither do we.
  function applyKeyEvent(d) {
    var slot = document.querySelector("[data-key-events-slot]");
    if (!slot || d.key_event_html === undefined) return;
    var list = slot.querySelector("ol");
    var entries = list ? Array.prototype.slice.call(list.children) : [];
    entries.forEach(function (li) { if (linkedId(li, ENTRY_LINK) === d.update_id) li.remove(); });
    if (!d.key_event_html) {
      if (list && !list.children.length) slot.innerHTML = "";
      return;
    }
    var nav = fragment(d.key_event_html);
    if (!list) { slot.innerHTML = ""; slot.appendChild(nav); return; }
    var entry = nav.querySelector("li");
    var when = timeOf(entry);
    var before = Array.prototype.find.call(list.children, function (li) {
      return newer(when, d.update_id, timeOf(li), linkedId(li, ENTRY_LINK));
    });
    list.insertBefore(entry, before || null);
  }

  // The pinned box: this update when it is pinned; emptied when it showed this update and
  // the update is pinned no more (pinning another unpins it with a change of its own).
  function applyPinned(d) {
    var slot = document.querySelector("[data-pinned-slot]");
    if (!slot || state.page !== 1 || state.filter) return;
    if (d.pinned_html) {
      slot.innerHTML = d.pinned_html;
      if (window.matchMedia && window.matchMedia("(min-width: 960px)").matches) {
        var folds = slot.querySelectorAll("details.fold");  // folded for phones only
        for (var i = 0; i < folds.length; i++) folds[i].open = true;
      }
    }
    else if (linkedId(slot, PINNED_LINK) === d.update_id) slot.innerHTML = "";
  }

  function apply(d) {
    if (d.seq <= state.seq) return;  // already shown (the page or an earlier frame had it)
    state.seq = d.seq;
    // Other scripts of the page (comments.js) place what they own.
    document.dispatchEvent(new CustomEvent("dateline:frame", { detail: d }));
    if (d.recap_html !== undefined) setSlot("[data-recap-slot]", d.recap_html);
    if (d.counts) setSlot("[data-stream-count]", state.filter ? d.counts.key_events : d.counts.updates);
    if (d.update_id && (desk || d.kind !== "update.facts")) {  // a reader's update is unchanged
      applyKeyEvent(d);
      applyPinned(d);
      applyUpdate(d);
    }
    if (d.kind === "blog.ended") end();
    if (d.kind === "update.published") showLastUpdate(d);
    tick();
  }

  // "Last update" in the header: the time of a newly published update (a recap edit or a
  // key-event mark is no update); the first one replaces "Live since".
  function showLastUpdate(d) {
    var line = document.querySelector("[data-last-update]");
    if (!line) return;
    var stamp = d.html ? fragment(d.html).querySelector(".update__time time") : null;
    var shown = line.querySelector("time");
    if (stamp && shown) {
      shown.setAttribute("datetime", stamp.getAttribute("datetime"));
      shown.textContent = stamp.textContent;
    }
    line.querySelector("[data-relative]").setAttribute("data-time", new Date().toISOString());
    line.hidden = false;
    var since = document.querySelector("[data-live-since]");
    if (since) since.remove();
  }

  function end() {
    state.ended = true;
    var badge = document.querySelector("[data-status-badge]");
    if (badge) {
      badge.className = "badge badge--ended";
      badge.textContent = words("ended");
    }
    stop();
  }

  // Connections ---------------------------------------------------------------------------
  function stop() {
    if (state.source) { state.source.close(); state.source = null; }
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
  }

  function connect() {
    stop();
    if (state.ended || state.behind) return;
    if (!window.EventSource) return poll();
    var opened = false;
    var source = new EventSource("/live/" + slug + "/events?" + query());
    state.source = source;
    source.onopen = function () { opened = true; status(""); };
    source.onerror = function () {
      if (state.ended || state.source !== source) return;
      if (!opened && source.readyState === EventSource.CLOSED) return poll();  // blocked
      status(words("reconnecting"));
      if (source.readyState === EventSource.CLOSED) state.timer = setTimeout(connect, 3000);
    };
    KINDS.forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        if (desk) changes(); else apply(JSON.parse(event.data));
      });
    });
    source.addEventListener("reset", fellBehind);
  }

  // Too far behind to replay: the page must reload. Not while someone is typing on it (an
  // editor's half-written update, a reader's comment): then it stops following and says so,
  // and the next send or the button reloads it.
  function fellBehind() {
    if (!typing()) return location.reload();
    state.behind = true;
    stop();
    var node = document.querySelector("[data-connection]");
    if (!node) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = words("reload");
    button.addEventListener("click", function () { location.reload(); });
    node.textContent = words("behind") + " ";
    node.appendChild(button);
    node.hidden = false;
  }
  function typing() {
    return Array.prototype.some.call(document.querySelectorAll("form input, form textarea"),
      function (field) {
        if (field.type === "hidden" || field.type === "submit") return false;
        if (field.type === "checkbox" || field.type === "radio") {
          return field.checked !== field.defaultChecked;
        }
        if (field.type === "file") return field.files.length > 0;
        return field.value !== field.defaultValue;
      });
  }

  // The changes after state.seq: a reader's from the public poll address, the editor's
  // (and the drafts box) from the desk.
  function changes() {
    if (state.behind) return Promise.resolve();
    var url = desk ? desk + "?since=" + state.seq : "/live/" + slug + "/changes?" + query();
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        status("");
        if (body && body.reset) return fellBehind();
        if (body) body.events.forEach(apply);
        if (body && body.desk_html !== undefined) setSlot("[data-desk-slot]", body.desk_html);
      })
      .catch(function () { status(words("reconnecting")); });
  }

  function poll() {
    stop();
    if (state.ended || state.behind) return;
    changes().then(function () { if (!state.ended && !state.behind) state.timer = setTimeout(poll, POLL_MS); });
  }

  // Relative times ----------------------------------------------------------------------
  function relative(ms) {
    var s = Math.round(ms / 1000);
    if (s < 45) return words("just-now");
    var units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      var n = Math.round(s / units[i][1]);
      if (n >= 1 && s >= units[i][1] * 0.9) return age(n, units[i][0]);
    }
    return age(1, "minute");
  }
  // "5 minutes ago" / "vor 5 Minuten", as the server's Babel says it.
  function age(n, unit) {
    if (ages) return ages.format(-n, unit);
    return n + " " + unit + (n === 1 ? "" : "s") + " ago";  // browsers without Intl: English
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-relative][data-time]").forEach(function (node) {
      node.textContent = relative(now - Date.parse(node.getAttribute("data-time")));
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-new-updates]")) revealPending();
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && readerAtTop() && state.pending.length) revealPending();
  });
  window.addEventListener("scroll", function () {
    if (state.pending.length && readerAtTop() && window.scrollY < 10) revealPending();
  }, { passive: true });
  document.addEventListener("dateline:stream-replaced", function () {
    state.pending = [];
    showPending();
    readRegion();
    connect();
  });

  readRegion();
  state.ended = !document.querySelector(".badge--live");
  setInterval(tick, 30000);
  if (desk) setInterval(changes, POLL_MS);
  connect();
})();
