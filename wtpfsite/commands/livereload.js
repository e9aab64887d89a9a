(function () {
  "use strict";
  var generation = __GENERATION__, server = "__SERVER__", index = __INDEX__, seq = -1, hadErrors = false;
  var KEY = "wtpfsite-scroll:" + location.pathname;
  function restoreScroll() {
    var saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
    if (saved) window.scrollTo(saved[0], saved[1]);
  }
  if (document.readyState === "complete") restoreScroll(); else window.addEventListener("load", restoreScroll);
  function reload() {
    sessionStorage.setItem(KEY, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }
  function swapStylesheets() {  // same-origin stylesheets only; the page itself stays
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("wtpfsite", String(Date.now()));
      link.href = url.href;
    });
  }
  function showErrors(messages) {  // textContent: messages are never parsed as HTML
    var overlay = document.getElementById("wtpfsite-error-overlay");
    if (overlay) overlay.remove();
    if (!messages.length) return;
    overlay = document.createElement("div");
    overlay.id = "wtpfsite-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;" +
      "background:rgba(60,0,0,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
    var title = overlay.appendChild(document.createElement("p"));
    var list = overlay.appendChild(document.createElement("ul"));
    var count = messages.filter(function (m) { return m.indexOf("__HELD__") < 0; }).length;
    title.textContent = "The build failed with " + count + (count === 1 ? " error" : " errors") +
      "; the site shows the last good build until " + (count === 1 ? "it is" : "they are") + " fixed:";
    messages.forEach(function (message) { list.appendChild(document.createElement("li")).textContent = message; });
    document.body.appendChild(overlay);
  }
  function apply(state) {
    if (state.server !== server) return reload();  // the preview was started again: its builds count anew
    if (state.seq <= seq) return;  // older news (the status answer and the event stream race)
    seq = state.seq;
    if (state.index !== index && window.PagefindUI) return reload();  // the search page reads the new index
    if (state.errors.length) { hadErrors = true; showErrors(state.errors); }
    else if (state.generation === generation) showErrors([]);
    else if (state.css_only && !hadErrors && state.generation === generation + 1) {
      generation = state.generation;
      swapStylesheets();
    } else reload();
  }
  // One event stream for all the preview's tabs (a browser opens six connections to a host, and a stream holds
  // one for good): the tab holding the lock listens and passes each state on to the others.
  function listen() {
    new EventSource("__EVENTS__").onmessage = function (event) {
      if (channel) channel.postMessage(event.data);
      apply(JSON.parse(event.data));
    };
    return new Promise(function () {});  // the lock is held until the tab goes
  }
  var channel = window.BroadcastChannel && navigator.locks ? new BroadcastChannel("wtpfsite-livereload") : null;
  if (channel) {
    channel.onmessage = function (event) { apply(JSON.parse(event.data)); };
    navigator.locks.request("wtpfsite-livereload", listen);
  } else listen();
  fetch("__STATUS__", {cache: "no-store"}).then(function (r) { return r.json(); }).then(apply, function () {});
})();
