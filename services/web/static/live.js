// The portfolio updates itself: the server sends `changed` when a commit changes it
// (PostgreSQL NOTIFY, through the portfolio service), and the page fetches its changing
// part again. Without JavaScript the page is the same, only a reload shows what is new.
(function () {
  var live = document.getElementById("portfolio-live");
  if (!live || !window.EventSource) { return; }
  var news = document.getElementById("live-news");
  var hint = document.getElementById("live-hint");
  var source = new EventSource("/portfolio/updates");
  source.addEventListener("open", function () { hint.hidden = false; });
  source.addEventListener("changed", function () {
    fetch("/portfolio?deel=inhoud", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        live.innerHTML = html;
        news.textContent = news.dataset.text;
        news.hidden = false;
      });
  });
})();
