// Behaviour the templates used to carry in on* attributes: the CSP allows no inline script.
(function () {
  "use strict";
  // <select data-autosubmit> / <input data-autosubmit>: submit the form as soon as the value changes.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
