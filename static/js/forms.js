// Forms that hold typed work: a warning before leaving the page with changes not saved
// (forms marked data-warn-unsaved, and the fields that belong to them through form="…");
// a confirmation for small destructive forms (data-confirm); the error summary gets focus.
(function () {
  "use strict";
  var dirty = new Set();

  function owner(el) {
    if (!el || !el.form) return null;
    return el.form.hasAttribute("data-warn-unsaved") ? el.form : null;
  }

  function mark(event) {
    var form = owner(event.target);
    if (form) dirty.add(form);
  }

  document.addEventListener("input", mark, true);
  document.addEventListener("change", mark, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Submitting saves (or shows) what was typed in this form: leaving is then expected.
    if (dirty.has(form)) dirty.delete(form);
    else if (form.hasAttribute("data-warn-unsaved")) dirty.delete(form);
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
