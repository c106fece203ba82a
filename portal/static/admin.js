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

/* What Flask-Admin's templates did with onclick= handlers, bound here: the back office's
   Content-Security-Policy runs no inline script (portal/content_security.py). Listeners sit on the
   document, so rows and inline forms added later are covered too. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) {
      return;
    }
    // href="javascript:void(0)" (tabs, menus, pagers): never navigate to a javascript: URL.
    var link = target.closest("a[href]");
    if (link && /^\s*javascript:/i.test(link.getAttribute("href"))) {
      event.preventDefault();
    }
    var confirmButton = target.closest("button[data-confirm], a[data-confirm]");
    if (confirmButton && !window.confirm(confirmButton.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var action = target.closest("[data-model-action]");
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-model-action"));
      return;
    }
    var addInline = target.closest("[data-inline-add]");
    if (addInline && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(addInline, addInline.getAttribute("data-inline-add"));
    }
  }, true);

  // A form that asks before it is sent (data-confirm on the form).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // "Copy" on the pages that show a secret once (an invitation link, an integration key).
  var copy = document.getElementById("copy-link");
  var input = document.querySelector("[data-copy-source]");
  var status = document.getElementById("copy-status");
  if (copy && input && status) {
    copy.addEventListener("click", function () {
      input.select();
      var done = function () { status.textContent = "Copied to the clipboard."; };
      var manual = function () { status.textContent = "Select it and copy it (Ctrl+C)."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, manual);
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      } else {
        manual();
      }
    });
  }
})();
