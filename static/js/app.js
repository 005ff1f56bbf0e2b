// Behaviour that used to sit in inline event handlers (onclick=, onchange=),
// which the Content-Security-Policy does not run. Delegated from the document,
// so it also works in fragments that htmx swaps in. Every page works without it.
document.addEventListener("change", function (event) {
  // The language menu in the footer: choosing a language switches at once
  // (without JavaScript, the <noscript> button submits the form).
  var field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
    return;
  }
  // The calendar feed's URL: one tap selects all of it, ready to copy.
  var select = event.target.closest("[data-select-on-click]");
  if (select) select.select();
});
// Browse page: the filters wait behind one button on a phone (a <details>); on a
// wide screen they start open. Without JavaScript they stay behind the button.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(min-width: 720px)").matches) return;
  document.querySelectorAll("details[data-open-when-wide]").forEach(function (details) {
    details.open = true;
  });
});
