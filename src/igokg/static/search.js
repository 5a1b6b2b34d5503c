/* igokg static search: the site's search box without a server.
   search.html loads search-index.js (window.IGOKG_SEARCH: [slug, name, abbreviations, labels, kind])
   and this script, which ranks as igokg serve does: every typed word must start a word of the
   entity's names; an exact name or abbreviation first, then names that start with the query. */
"use strict";
(function () {
  function norm(text) {
    return (text.normalize ? text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "") : text)
      .toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
  }
  function rank(entry, words, phrase) {
    const names = [entry[1]].concat(entry[3]);
    const tokens = norm(names.join(" ") + " " + entry[4]);
    for (const w of words) {
      if (!tokens.some(function (t) { return t.startsWith(w); })) return null;
    }
    const exact = names.some(function (n) { return norm(n).join(" ") === phrase; });
    const inName = norm(entry[1]);
    const starts = inName.join(" ").startsWith(phrase);
    const nameHits = words.filter(function (w) { return inName.some(function (t) { return t.startsWith(w); }); }).length;
    return [exact ? 0 : starts ? 1 : 2, -nameHits, entry[1].length];
  }
  function search(q) {
    const words = norm(q);
    if (!words.length || !window.IGOKG_SEARCH) return [];
    const phrase = words.join(" ");
    const hits = [];
    for (const entry of window.IGOKG_SEARCH) {
      const r = rank(entry, words, phrase);
      if (r) hits.push([r, entry]);
    }
    hits.sort(function (a, b) {
      for (let i = 0; i < 3; i++) if (a[0][i] !== b[0][i]) return a[0][i] - b[0][i];
      return a[1][1] < b[1][1] ? -1 : a[1][1] > b[1][1] ? 1 : 0;
    });
    return hits.slice(0, 50).map(function (h) { return h[1]; });
  }
  window.igokgSearch = search;
  document.addEventListener("DOMContentLoaded", function () {
    const list = document.getElementById("hits");
    if (!list) return;
    const q = new URLSearchParams(location.search).get("q") || "";
    document.querySelectorAll('input[name="q"]').forEach(function (i) { i.value = q; });
    const count = document.getElementById("count");
    if (!q.trim()) return;
    const hits = search(q);
    count.textContent = hits.length + (hits.length === 1 ? " match" : " matches") + " for “" + q + "”";
    for (const e of hits) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "id/" + e[0] + ".html";
      a.textContent = e[1];
      li.appendChild(a);
      const kind = document.createElement("span");
      kind.className = "meta";
      kind.textContent = " " + e[4];
      li.appendChild(kind);
      if (e[3].length) {
        const alt = document.createElement("span");
        alt.className = "hit-alt";
        alt.textContent = "also: " + e[3].join(", ");
        li.appendChild(document.createElement("br"));
        li.appendChild(alt);
      }
      list.appendChild(li);
    }
  });
})();
