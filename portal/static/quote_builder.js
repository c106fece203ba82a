/* The quote builder (templates/admin/quote_builder.html). The page is a plain form that saves without
   script; this adds: the product picker (type a SKU or name, pick: the customer's price is filled in),
   live line totals and quote totals, Enter adds a line, add / move / remove lines and sections, and the
   contact list limited to the chosen company. The server recomputes everything on save.
   No innerHTML: product names are put in the page as text only. */
(function () {
  "use strict";
  var form = document.getElementById("quote-builder");
  if (!form) {
    return;
  }
  var readOnly = form.classList.contains("read-only");
  var table = document.getElementById("builder-lines");
  var company = document.getElementById("company_id");
  var contact = document.getElementById("contact_id");
  var SYMBOLS = { EUR: "€", USD: "$", GBP: "£", CHF: "CHF ", JPY: "¥" };
  form.classList.add("js-on");

  function groups() { return Array.prototype.slice.call(table.querySelectorAll("tbody.builder-group")); }
  function looseGroup() { return table.querySelector('tbody.builder-group[data-section=""]'); }
  function lineRows() { return Array.prototype.slice.call(table.querySelectorAll("tr.builder-line")); }
  function field(row, name) { return row.querySelector('[name$="-' + name + '"]'); }

  // --- money, exactly as the server rounds it (half up to cents, tax once per rate) -----------------
  function scaled(text, places) {
    var t = String(text || "").trim();
    if (t.indexOf(",") >= 0 && t.indexOf(".") < 0) { t = t.replace(",", "."); }
    var m = /^(\d+)(?:\.(\d*))?$/.exec(t);
    if (!m || (m[2] || "").length > places) { return null; }
    var frac = ((m[2] || "") + "0000000000").slice(0, places);
    return BigInt(m[1] + frac);
  }
  function divRound(n, d) { return (n * 2n + d) / (2n * d); }  // half up, n >= 0
  function currency() {
    var option = company && company.selectedOptions[0];
    return (option && option.getAttribute("data-currency")) || form.getAttribute("data-currency") || "EUR";
  }
  function money(cents) {
    var whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = (cents % 100n).toString().padStart(2, "0");
    var code = currency();
    return (SYMBOLS[code] !== undefined ? SYMBOLS[code] : code + " ") + whole + "." + rest;
  }
  function isBlank(row) {
    return !["sku", "description", "unit_price"].some(function (n) { return field(row, n).value.trim(); });
  }
  function lineCents(row) {
    if (isBlank(row)) { return undefined; }
    var qtyText = field(row, "quantity").value.trim();
    var qty = qtyText ? scaled(qtyText, 3) : 1000n;
    var price = scaled(field(row, "unit_price").value, 2);
    var discText = field(row, "discount_percent").value.trim();
    var disc = discText ? scaled(discText, 2) : 0n;
    if (qty === null || price === null || disc === null || disc > 10000n) { return null; }
    return divRound(qty * price * (10000n - disc), 1000n * 10000n);
  }
  function recompute() {
    var subtotal = 0n, optional = 0n, byRate = {};
    lineRows().forEach(function (row) {
      var cents = lineCents(row);
      var cell = row.querySelector(".line-total");
      var isOptional = field(row, "optional").checked;
      row.classList.toggle("is-optional", isOptional);
      if (cents === undefined) { cell.textContent = ""; return; }
      if (cents === null) { cell.textContent = "—"; return; }
      cell.textContent = money(cents);
      if (isOptional) { optional += cents; return; }
      subtotal += cents;
      var taxText = field(row, "tax_rate").value.trim();
      var rate = taxText ? scaled(taxText, 2) : scaled(row.getAttribute("data-tax") || "21", 2);
      if (rate === null) { return; }
      var key = rate.toString();
      byRate[key] = (byRate[key] || 0n) + cents;
    });
    var tax = 0n;
    Object.keys(byRate).forEach(function (rate) { tax += divRound(byRate[rate] * BigInt(rate), 10000n); });
    document.getElementById("total-subtotal").textContent = money(subtotal);
    document.getElementById("total-tax").textContent = money(tax);
    document.getElementById("total-total").textContent = money(subtotal + tax);
    document.getElementById("total-optional").textContent = money(optional);
  }

  // --- numbering: names follow the order on screen, which is the order saved -----------------------
  function rename(el, prefix, index) {
    var pattern = new RegExp("^" + prefix + "-\\d+-");
    ["name", "id", "for"].forEach(function (attr) {
      var value = el.getAttribute(attr);
      if (value && pattern.test(value)) { el.setAttribute(attr, value.replace(pattern, prefix + "-" + index + "-")); }
    });
  }
  function renumber() {
    lineRows().forEach(function (row, i) {
      row.querySelectorAll("[name], [id], label[for]").forEach(function (el) { rename(el, "line", i); });
      row.querySelector(".line-no").textContent = String(i + 1);
      row.querySelectorAll("label[data-label]").forEach(function (label) {
        label.textContent = label.getAttribute("data-label").replace("%n", i + 1);  // translated: "Line %n: …"
      });
      row.querySelectorAll("[data-line-action]").forEach(function (button) {
        button.setAttribute("aria-label", button.getAttribute("data-label").replace("%n", i + 1));
      });
      field(row, "section").value = row.parentElement.getAttribute("data-section");
    });
    var sections = groups().filter(function (g) { return g.getAttribute("data-section") !== ""; });
    sections.forEach(function (group, k) {
      group.querySelectorAll(".builder-group-head [name], .builder-group-head [id], .builder-group-head label[for]")
        .forEach(function (el) { rename(el, "section", k); });
      var heading = group.querySelector(".builder-group-head label");
      heading.textContent = heading.getAttribute("data-label").replace("%n", k + 1);  // translated: "Section %n"
      group.querySelectorAll("[data-section-action][data-label]").forEach(function (button) {
        button.setAttribute("aria-label", button.getAttribute("data-label").replace("%n", k + 1));
      });
    });
    looseGroup().classList.toggle("is-empty", !looseGroup().querySelector("tr.builder-line"));
    form.classList.toggle("no-sections", sections.length === 0);
    recompute();
  }

  // --- rows ------------------------------------------------------------------------------------------
  var lineTemplate = null, sectionTemplate = null, newSections = 0;
  function blankLine() {
    var row = lineTemplate.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    row.querySelector(".line-total").textContent = "";
    row.classList.remove("is-optional", "builder-spare");
    preparePicker(field(row, "sku"));
    return row;
  }
  function addLine(group, before) {
    var row = blankLine();
    group.insertBefore(row, before || null);
    renumber();
    field(row, "sku").focus();
    return row;
  }
  function addSection() {
    var group = sectionTemplate.cloneNode(true);
    newSections += 1;
    group.setAttribute("data-section", "js-" + newSections);
    group.querySelector('[name$="-key"]').value = "js-" + newSections;
    var title = group.querySelector(".section-title");
    title.value = "";
    title.classList.remove("is-invalid");
    table.appendChild(group);
    renumber();
    title.focus();
  }
  function move(row, step) {
    var group = row.parentElement, all = groups(), at = all.indexOf(group);
    var sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (sibling && sibling.classList.contains("builder-line")) {
      group.insertBefore(row, step < 0 ? sibling : sibling.nextElementSibling);
    } else if (all[at + step]) {  // across a section boundary: the end of the one above, the top of the one below
      var target = all[at + step];
      target.insertBefore(row, step < 0 ? null : target.querySelector(".builder-group-head").nextElementSibling);
    }
    renumber();
  }

  // --- the product picker ----------------------------------------------------------------------------
  var list = document.createElement("ul");
  list.id = "builder-options";
  list.className = "builder-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Matching products");
  list.hidden = true;
  document.body.appendChild(list);
  var picker = { input: null, items: [], active: -1, seq: 0, timer: null };

  function closeList() {
    list.hidden = true;
    list.textContent = "";
    picker.items = [];
    picker.active = -1;
    if (picker.input) {
      picker.input.setAttribute("aria-expanded", "false");
      picker.input.removeAttribute("aria-activedescendant");
    }
  }
  function highlight(index) {
    picker.active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && list.children[index]) {
      picker.input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      picker.input.removeAttribute("aria-activedescendant");
    }
  }
  function showList(input, products, message) {
    list.textContent = "";
    picker.items = products;
    picker.active = -1;
    products.forEach(function (product, i) {
      var li = document.createElement("li");
      li.id = "builder-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      [["sku", product.sku], ["name", product.name],
       ["price", product.unit_price === null ? "no price" : money(scaled(product.unit_price, 2))]]
        .forEach(function (part) {
          var span = document.createElement("span");
          span.className = part[0];
          span.textContent = part[1];
          li.appendChild(span);
        });
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(input, product); });
      list.appendChild(li);
    });
    if (!products.length) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = message || "No product matches.";
      list.appendChild(empty);
    }
    var box = input.getBoundingClientRect();
    list.style.left = (box.left + window.scrollX) + "px";
    list.style.top = (box.bottom + window.scrollY + 2) + "px";
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (products.length === 1 || (products.length && products[0].sku.toLowerCase() === input.value.trim().toLowerCase())) {
      highlight(0);
    }
  }
  function search(input, pickExact) {
    var typed = input.value.trim();
    clearTimeout(picker.timer);
    picker.input = input;
    if (!typed) { closeList(); return; }
    if (!company.value) { showList(input, [], "Choose the customer company first."); return; }
    var row = input.closest("tr");
    var quantity = field(row, "quantity").value.trim() || "1";
    var url = form.getAttribute("data-products-url") + "?company_id=" + encodeURIComponent(company.value) +
      "&q=" + encodeURIComponent(typed) + "&quantity=" + encodeURIComponent(quantity);
    var seq = ++picker.seq;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (seq !== picker.seq) { return; }
        var products = data.products || [];
        var exact = products.length && (products.length === 1 || products[0].sku.toLowerCase() === typed.toLowerCase());
        if (pickExact && exact && input.value.trim() === typed) {  // even when they have moved on already
          pick(input, products[0]);
        } else if (document.activeElement === input) {
          showList(input, products, data.error);
        }
      })
      .catch(function () { if (seq === picker.seq) { showList(input, [], "The product search is not answering."); } });
  }
  function pick(input, product) {
    var row = input.closest("tr");
    input.value = product.sku;
    input.setAttribute("data-picked", product.sku);
    field(row, "description").value = product.name;
    field(row, "unit_price").value = product.unit_price === null ? "" : product.unit_price;
    field(row, "tax_rate").value = product.tax_rate;
    if (!field(row, "quantity").value.trim()) { field(row, "quantity").value = "1"; }
    var stayed = document.activeElement === input;
    closeList();
    recompute();
    if (stayed) {
      var quantity = field(row, "quantity");
      quantity.focus();
      quantity.select();
    }
  }
  function preparePicker(input) {
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", "builder-options");
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("data-picked");
    if (input.value.trim()) { input.setAttribute("data-picked", input.value.trim()); }  // a stored line's product
  }

  // --- wiring ----------------------------------------------------------------------------------------
  function filterContacts() {
    if (!contact) { return; }
    contact.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = group.getAttribute("data-company") !== company.value;
    });
    Array.prototype.forEach.call(contact.options, function (option) {
      var owner = option.getAttribute("data-company");
      var mine = !owner || owner === company.value;
      option.hidden = !mine;
      option.disabled = !mine;
      if (!mine && option.selected) { contact.value = ""; }
    });
  }

  // the server's spare rows are for a browser without script: keep one blank line when there is none other
  lineRows().forEach(function (row) { row.setAttribute("data-tax", field(row, "tax_rate").value || "21"); });
  // the Section column is gone in this mode: headings span the columns there are
  table.querySelectorAll(".builder-group-head > th").forEach(function (th) { th.colSpan = 10; });
  var firstLine = lineRows()[0];
  if (firstLine) { lineTemplate = firstLine.cloneNode(true); }
  groups().forEach(function (group) {
    if (group.getAttribute("data-section") !== "" && !sectionTemplate) {
      sectionTemplate = group.cloneNode(true);
      sectionTemplate.querySelectorAll("tr.builder-line").forEach(function (row) { row.remove(); });
      sectionTemplate.classList.remove("builder-spare");
    }
    if (group.classList.contains("builder-spare") && !group.querySelector("tr.builder-line")) { group.remove(); }
  });
  var spares = table.querySelectorAll("tr.builder-line.builder-spare");
  Array.prototype.forEach.call(spares, function (row, i) {
    if (i > 0 || lineRows().length > spares.length) { row.remove(); }
  });
  // in this mode a line's section is where it sits: its select becomes a hidden field kept by renumber()
  function hideSectionChoice(row) {
    var select = row.querySelector("select.builder-section-choice");
    if (!select) { return; }
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = select.name;
    hidden.value = select.value;
    var cell = document.createElement("td");
    cell.className = "builder-nojs";
    select.closest("td").replaceWith(cell);
    field(row, "id").after(hidden);
  }
  lineRows().forEach(hideSectionChoice);
  if (lineTemplate) { hideSectionChoice(lineTemplate); }
  table.querySelectorAll(".builder-product").forEach(preparePicker);
  filterContacts();
  renumber();
  var summary = document.getElementById("builder-errors");
  if (summary) { summary.focus(); }  // what was refused is read out first
  if (readOnly) {
    return;
  }

  company.addEventListener("change", function () { filterContacts(); closeList(); recompute(); });
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.classList.contains("builder-product")) {
      target.removeAttribute("data-picked");
      clearTimeout(picker.timer);
      picker.timer = setTimeout(function () { search(target); }, 180);
    }
    if (target.closest("tr.builder-line")) { recompute(); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.classList.contains("builder-optional")) { recompute(); }
  });
  form.addEventListener("focusout", function (event) {
    if (event.target === picker.input) { setTimeout(closeList, 150); }
  });
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    var open = !list.hidden && picker.input === target;
    if (target.classList.contains("builder-product") && open) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var count = picker.items.length, at = picker.active;
        if (count) { highlight(event.key === "ArrowDown" ? (at + 1) % count : (at <= 0 ? count - 1 : at - 1)); }
        return;
      }
      if (event.key === "Escape") { event.preventDefault(); closeList(); return; }
      if (event.key === "Enter" && picker.items.length) {
        event.preventDefault();
        pick(target, picker.items[picker.active >= 0 ? picker.active : 0]);
        return;
      }
    }
    if (event.key === "Enter" && target.classList.contains("builder-product") && target.value.trim() &&
        !target.hasAttribute("data-picked")) {  // typed faster than the suggestions came: look it up now
      event.preventDefault();
      search(target, true);
      return;
    }
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey || target.tagName === "BUTTON") { return; }
    var row = target.closest("tr.builder-line");
    if (row) {  // Enter in a line: a new line below it
      event.preventDefault();
      addLine(row.parentElement, row.nextElementSibling);
    } else if (target.classList.contains("section-title")) {  // in a section title: its first line
      event.preventDefault();
      var group = target.closest("tbody");
      addLine(group, group.querySelector(".builder-group-head").nextElementSibling);
    }
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-line-action], button[data-section-action]");
    if (button) {
      var action = button.getAttribute("data-line-action") || button.getAttribute("data-section-action");
      var row = button.closest("tr.builder-line");
      var group = button.closest("tbody");
      if (row && action === "remove") {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber();
        var focus = next && next.classList.contains("builder-line") ? field(next, "sku") : document.getElementById("add-line");
        focus.focus();
      } else if (row) {
        move(row, action === "up" ? -1 : 1);
        button.focus();
      } else if (action === "add-line") {
        addLine(group, null);
      } else if (action === "remove") {
        var loose = looseGroup();
        group.querySelectorAll("tr.builder-line").forEach(function (line) { loose.appendChild(line); });
        group.remove();
        renumber();
        document.getElementById("add-section").focus();
      } else {
        var all = groups(), at = all.indexOf(group), other = all[at + (action === "up" ? -1 : 1)];
        if (other && other.getAttribute("data-section") !== "") {
          table.insertBefore(group, action === "up" ? other : other.nextElementSibling);
          renumber();
          button.focus();
        }
      }
      return;
    }
    if (event.target.id === "add-line") {
      var last = groups()[groups().length - 1];
      if (!lineTemplate) { return; }
      addLine(last, null);
    } else if (event.target.id === "add-section" && sectionTemplate) {
      addSection();
    }
  });
})();
