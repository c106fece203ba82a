/* Names for the back office's icon-only links, which Flask-Admin's widgets leave unnamed:
   a column's help icon (its tooltip script moves the title away) and the "x" that removes a choice
   from a multiple select. Loaded before Flask-Admin's own scripts; the portal runs no inline script. */
(function () {
  "use strict";
  document.querySelectorAll('a[data-role="tooltip"]').forEach(function (link) {
    var help = link.getAttribute("title");
    var column = link.closest("th");
    var name = column ? column.textContent.trim() : "";
    if (help) {
      link.setAttribute("aria-label", (name ? name + ": " : "") + help);
    }
  });

  function nameRemoveLinks(root) {
    root.querySelectorAll(".select2-search-choice-close:not([aria-label])").forEach(function (link) {
      var choice = link.parentElement ? link.parentElement.textContent.trim() : "";
      link.setAttribute("aria-label", "Remove " + choice);
    });
  }
  nameRemoveLinks(document);
  new MutationObserver(function () { nameRemoveLinks(document); })
    .observe(document.body, { childList: true, subtree: true });
})();
