// The portfolio updates itself: the server sends `changed` when a commit changes it
// (PostgreSQL NOTIFY, through the portfolio service), and at the start of every stream;
// the page fetches its changing part again and, if its version differs from what the
// page shows, shows it and says so.
// Without JavaScript the page is the same, only a reload shows what is new.
(function () {
  var live = document.getElementById("portfolio-live");
  if (!live || !window.EventSource) { return; }
  var news = document.getElementById("live-news");
  var hint = document.getElementById("live-hint");
  var version = /data-version="([^"]*)"/;
  var shown = live.querySelector("[data-version]").dataset.version;
  var source = new EventSource("/portfolio/updates");
  source.addEventListener("open", function () { hint.hidden = false; });
  source.addEventListener("changed", function () {
    fetch("/portfolio?deel=inhoud", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var found = html && html.match(version);
        if (!found || found[1] === shown) { return; }
        shown = found[1];
        live.innerHTML = html;
        news.textContent = news.dataset.text;
        news.hidden = false;
      });
  });
})();
