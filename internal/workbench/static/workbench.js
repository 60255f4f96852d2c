// Keyboard shortcuts of the reviewers' workbench. The pages work without
// this script; it only saves the mouse on the common path. Served from
// the workbench itself: the Content Security Policy allows no other script.
(function () {
  "use strict";

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function submit(id) {
    var form = document.getElementById(id);
    if (form) form.requestSubmit();
  }

  // a decides nothing by itself: it puts the focus on Approve, and Enter
  // then approves, so one stray key never approves a filing.
  function focus(id, e) {
    var el = document.getElementById(id);
    if (el) { el.focus(); e.preventDefault(); }
  }

  // Queue: j/k move the selection, Enter or o opens it; a click on a row
  // opens it too.
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr"));
  var selected = rows.length ? 0 : -1;
  function select(i) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("selected", j === selected); });
    rows[selected].scrollIntoView({ block: "nearest" });
  }
  if (rows.length) select(0);
  rows.forEach(function (r) {
    r.addEventListener("click", function (e) {
      if (e.target.tagName !== "A") window.location.assign(r.getAttribute("data-href"));
    });
  });

  // Filing: the material being viewed is marked.
  var materials = Array.prototype.slice.call(document.querySelectorAll("a.material"));
  materials.forEach(function (a) {
    a.addEventListener("click", function () {
      materials.forEach(function (m) { m.classList.toggle("viewing", m === a); });
    });
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    switch (e.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "Enter": case "o":
        if (selected >= 0) window.location.assign(rows[selected].getAttribute("data-href"));
        break;
      case "c": submit("claim-form"); break;
      case "a": focus("approve", e); break;
      case "r":
        var first = document.querySelector("#reject-form input[type=checkbox]");
        if (first) { first.focus(); e.preventDefault(); }
        break;
      case "g":
        var back = document.getElementById("back");
        if (back) window.location.assign(back.href);
        break;
      case "?":
        var help = document.getElementById("shortcuts");
        if (help) help.scrollIntoView();
        break;
      default:
        if (e.key >= "1" && e.key <= "9") {
          var m = materials[Number(e.key) - 1];
          if (m) m.click();
        }
    }
  });
})();
