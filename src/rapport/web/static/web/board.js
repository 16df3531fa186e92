// The pipeline board: drag a card (SortableJS) or use its "Move to" menu; the move is saved with the
// card's version. A refused move (stale 409, a close without a reason 400, 403, 404) puts the card back
// where it was and shows the server's message. Won and lost ask for the reason first.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board || !window.Sortable) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function msg(name) {
    var key = "msg" + name.replace(/(^|-)(\w)/g, function (_m, _d, c) { return c.toUpperCase(); });
    return board.dataset[key] || name;
  }
  function toast(text, level) {
    if (window.rapportToast) { window.rapportToast(text, level); }
  }
  function column(stageId) { return board.querySelector('.kanban-column[data-stage-id="' + stageId + '"]'); }
  function list(stageId) { return board.querySelector('.kanban-list[data-stage-id="' + stageId + '"]'); }

  // --- the reason dialog for won and lost -------------------------------------------------------------
  var modalEl = document.getElementById("close-reason");
  var form = document.getElementById("close-reason-form");
  var input = document.getElementById("close-reason-input");
  var pending = null;  // {resolve} while the dialog is open

  function askReason(card, stageId) {
    return new Promise(function (resolve) {
      var kind = column(stageId).dataset.stageKind;
      var template = document.getElementById("close-reason-label-" + kind);
      var name = card.querySelector("[id$='-name']").textContent.trim();
      document.getElementById("close-reason-text").textContent =
        (template ? template.content.textContent : "%(name)s").replace("%(name)s", name);
      input.value = "";
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      pending = { resolve: resolve, answered: false };
      window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
    });
  }
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var reason = input.value.trim();
      if (!reason) {
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      if (pending) { pending.answered = true; pending.resolve(reason); }
      window.bootstrap.Modal.getOrCreateInstance(modalEl).hide();
    });
    modalEl.addEventListener("shown.bs.modal", function () { input.focus(); });
    modalEl.addEventListener("hidden.bs.modal", function () {
      if (pending && !pending.answered) { pending.resolve(null); }
      pending = null;
    });
  }

  // --- saving a move ----------------------------------------------------------------------------------
  function setColumns(columns) {
    Object.keys(columns || {}).forEach(function (stageId) {
      var col = column(stageId);
      if (!col) { return; }
      col.querySelector("[data-count]").textContent = columns[stageId].count;
      col.querySelector("[data-totals]").textContent = columns[stageId].totals;
    });
  }

  function syncCard(card, stageId, version) {
    card.dataset.stageId = stageId;
    card.dataset.version = version;
    var select = card.querySelector("select[name=stage]");
    if (select) { select.value = String(stageId); }
    var hidden = card.querySelector("input[name=version]");
    if (hidden) { hidden.value = version; }
  }

  // ``restore`` puts the card back where it was; it runs whenever the move is not saved.
  function move(card, stageId, restore) {
    var kind = column(stageId).dataset.stageKind;
    var ask = kind === "open" ? Promise.resolve("") : askReason(card, stageId);
    card.dataset.state = "saving";
    card.setAttribute("aria-busy", "true");
    return ask.then(function (reason) {
      if (reason === null) { return { cancelled: true }; }
      var body = new FormData();
      body.append("stage", stageId);
      body.append("version", card.dataset.version);
      if (reason) { body.append("reason", reason); }
      return fetch(card.dataset.moveUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, data: data };
        });
      });
    }).then(function (result) {
      if (result.cancelled) {
        restore();
        card.dataset.state = "cancelled";
        return;
      }
      if (result.ok) {
        syncCard(card, result.data.stage, result.data.version);
        setColumns(result.data.columns);
        card.dataset.state = "saved";
        toast(result.data.message, "success");
      } else {
        restore();
        card.dataset.state = "failed";
        toast(result.data.message || msg("failed"), "error");
      }
    }).catch(function () {
      restore();
      card.dataset.state = "failed";
      toast(msg("offline"), "error");
    }).then(function () {
      card.removeAttribute("aria-busy");
    });
  }

  function restorer(card, from, index) {
    return function () {
      var anchor = from.children[index] || null;
      if (anchor === card) { return; }
      from.insertBefore(card, anchor);
    };
  }

  // --- dragging ---------------------------------------------------------------------------------------
  Array.prototype.forEach.call(board.querySelectorAll(".kanban-list"), function (el) {
    window.Sortable.create(el, {
      group: "board",
      animation: 150,
      draggable: ".kanban-card",
      // The move menu stays usable; dragging starts anywhere else (Sortable swallows the click after a drag).
      filter: "select, button, label, input",
      preventOnFilter: false,
      // Mouse-event dragging: the same on every browser and in headless test browsers.
      forceFallback: true,
      fallbackTolerance: 4,
      onEnd: function (evt) {
        if (evt.from === evt.to) { return; }  // only the order changed: the board sorts by close date
        move(evt.item, evt.to.dataset.stageId, restorer(evt.item, evt.from, evt.oldIndex));
      }
    });
  });

  // --- the keyboard way: each card's "Move to" menu ---------------------------------------------------
  board.addEventListener("submit", function (e) {
    var moveForm = e.target.closest(".card-move");
    if (!moveForm) { return; }
    e.preventDefault();
    var card = moveForm.closest(".kanban-card");
    var stageId = moveForm.querySelector("select[name=stage]").value;
    if (String(stageId) === String(card.dataset.stageId)) { return; }
    var from = card.parentNode;
    var index = Array.prototype.indexOf.call(from.children, card);
    var target = list(stageId);
    target.insertBefore(card, target.firstChild);
    var back = restorer(card, from, index);
    move(card, stageId, function () {
      back();
      moveForm.querySelector("select[name=stage]").value = card.dataset.stageId;
    }).then(function () {
      var select = card.querySelector("select[name=stage]");
      if (select) { select.focus(); }
    });
  });
})();
