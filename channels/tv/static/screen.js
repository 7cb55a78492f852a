// The office TV: rotate the boards, and swap in each board the server pushes.
// Plain JavaScript, no library, nothing from the internet.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var live = document.getElementById("live");
  var offline = document.getElementById("offline");
  var dots = document.getElementById("dots");
  var rotateMs = Number(root.dataset.rotate) * 1000;
  var shown = 0;
  var source = null;
  var ended = false;

  function boards() { return live.querySelectorAll(".board"); }

  function show() {
    var all = boards();
    if (!all.length) { return; }
    shown = shown % all.length;
    dots.textContent = "";
    for (var i = 0; i < all.length; i++) {
      all[i].classList.toggle("active", i === shown);
      var dot = document.createElement("span");
      if (i === shown) { dot.className = "on"; }
      dots.appendChild(dot);
    }
  }

  function rowTexts() {
    // What each row says now, by board and name, to light up the rows that change.
    var texts = {};
    var rows = live.querySelectorAll(".board .row");
    for (var i = 0; i < rows.length; i++) {
      var board = rows[i].closest(".board").dataset.board;
      var name = rows[i].querySelector(".name").textContent;
      texts[board + "|" + name] = rows[i].textContent;
    }
    return texts;
  }

  function lightChanged(before) {
    var rows = live.querySelectorAll(".board .row");
    for (var i = 0; i < rows.length; i++) {
      var board = rows[i].closest(".board").dataset.board;
      var name = rows[i].querySelector(".name").textContent;
      if (before[board + "|" + name] !== rows[i].textContent) {
        rows[i].classList.add("changed");
      }
    }
  }

  function end() {
    // The link was revoked: stop listening, say so, leave the boards.
    ended = true;
    if (source) { source.close(); }
    offline.hidden = true;
    live.hidden = true;
    dots.hidden = true;
    document.getElementById("revoked").hidden = false;
  }

  function retryLater() {
    // A refused stream (404: revoked while we were away) ends the page; anything else
    // (the server restarting) is tried again.
    setTimeout(function () {
      fetch(root.dataset.page, { method: "HEAD", cache: "no-store" }).then(function (r) {
        if (r.status === 404) { end(); } else { connect(); }
      }, retryLater);
    }, 2000);
  }

  function connect() {
    if (ended) { return; }
    source = new EventSource(root.dataset.events);
    source.addEventListener("board", function (e) {
      var before = rowTexts();
      live.innerHTML = JSON.parse(e.data).html;
      offline.hidden = true;
      lightChanged(before);
      show();
    });
    source.addEventListener("revoked", end);
    source.onopen = function () { offline.hidden = true; };
    source.onerror = function () {
      if (ended) { return; }
      offline.hidden = false;
      // The browser reconnects by itself after a dropped stream; after a refusal it
      // gives up (CLOSED), so we try again ourselves.
      if (source.readyState === EventSource.CLOSED) { retryLater(); }
    };
  }

  show();
  setInterval(function () { shown += 1; show(); }, rotateMs);
  connect();
})();
