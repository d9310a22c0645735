// The new blog form suggests the address (slug) from the title as the editor types, the way
// the server makes one from a title when the address is left empty (liveblog/forms.py
// `slug_from`). An address the editor typed is theirs: it is no longer followed.
(function () {
  "use strict";
  var LIMIT = 80;
  var SPELLED = { "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss" };
  var slug = document.querySelector("[data-slug-from]");
  if (!slug || !String.prototype.normalize) return;
  var title = document.getElementById(slug.getAttribute("data-slug-from"));
  if (!title) return;

  function slugFrom(text) {
    var ascii = text.toLowerCase().replace(/[äöüß]/g, function (letter) { return SPELLED[letter]; })
      .normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
    var words = ascii.match(/[a-z0-9]+/g) || [];
    var made = "";
    for (var i = 0; i < words.length; i++) {
      var longer = made ? made + "-" + words[i] : words[i].slice(0, LIMIT);
      if (longer.length > LIMIT) break;
      made = longer;
    }
    return made;
  }

  var suggested = slug.value === "" || slug.value === slugFrom(title.value);
  title.addEventListener("input", function () {
    if (suggested) slug.value = slugFrom(title.value);
  });
  slug.addEventListener("input", function () {
    suggested = slug.value === "";
  });
})();
