// Rapport workspace behaviour: toasts for HTMX answers, errors that reach the user, the Ctrl-K palette.
(function () {
  "use strict";

  function toast(message, level) {
    var box = document.getElementById("toasts");
    if (!box || !message) { return; }
    var el = document.createElement("div");
    el.className = "toast align-items-center border-0 text-bg-" + (level === "error" ? "danger" : (level || "success"));
    el.setAttribute("role", level === "error" ? "alert" : "status");
    var wrap = document.createElement("div");
    wrap.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message;
    wrap.appendChild(body);
    el.appendChild(wrap);
    box.appendChild(el);
    if (window.bootstrap) { new bootstrap.Toast(el, { delay: 5000 }).show(); }
    el.addEventListener("hidden.bs.toast", function () { el.remove(); });
  }
  window.rapportToast = toast;

  // Messages the scripts show come translated from base.html's data-msg-* attributes.
  function message(name) {
    var key = "msg" + name.charAt(0).toUpperCase() + name.slice(1);
    return document.body.dataset[key] || name;
  }
  window.rapportMessage = message;

  document.addEventListener("toast", function (e) { toast(e.detail.message, e.detail.level); });

  // A refused HTMX request (400 with a form, 409 stale, 403, 404) shows the server's message, never nothing.
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    var text = xhr.getResponseHeader("X-Rapport-Message");
    text = text ? decodeURIComponent(text) : (xhr.status >= 500 || !xhr.statusText ? message("failed") : xhr.statusText);
    toast(text, "error");
  });
  // Forms answered with 400/409/422 carry the form again with its errors: swap it in so the user keeps
  // what they typed and sees the message next to the field.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("htmx:sendError", function () { toast(message("offline"), "error"); });

  // Command palette: Ctrl-K / Cmd-K anywhere, arrows to move, Enter to open.
  function palette() { return document.getElementById("palette"); }
  function openPalette() {
    var el = palette();
    if (!el || !window.bootstrap) { return; }
    bootstrap.Modal.getOrCreateInstance(el).show();
  }
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      openPalette();
    }
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-palette-open]")) { openPalette(); }
  });
  // The old query is cleared on "show", before the dialog is visible: clearing it on "shown" wiped what a fast
  // typist had already entered while the dialog faded in.
  document.addEventListener("show.bs.modal", function (e) {
    if (e.target.id === "palette") { document.getElementById("palette-input").value = ""; }
  });
  document.addEventListener("shown.bs.modal", function (e) {
    if (e.target.id === "palette") {
      var input = document.getElementById("palette-input");
      input.focus();
      htmx.trigger(input, "input");
    }
  });
  function items() { return Array.prototype.slice.call(document.querySelectorAll("#palette-results a")); }
  document.addEventListener("keydown", function (e) {
    if (!e.target || e.target.id !== "palette-input") { return; }
    var list = items();
    if (!list.length) { return; }
    var current = list.findIndex(function (a) { return a.classList.contains("active"); });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      var next = e.key === "ArrowDown" ? Math.min(current + 1, list.length - 1) : Math.max(current - 1, 0);
      list.forEach(function (a) { a.classList.remove("active"); a.setAttribute("aria-selected", "false"); });
      list[next].classList.add("active");
      list[next].setAttribute("aria-selected", "true");
      list[next].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter") {
      e.preventDefault();
      window.location.href = (list[current >= 0 ? current : 0]).href;
    }
  });
})();
