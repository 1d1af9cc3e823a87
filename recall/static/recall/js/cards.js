// Progressive enhancement for reading cards: arrow keys page, the print button prints.
// Every action here is also a plain link or browser feature without JavaScript.
(function () {
  "use strict";

  function typingInto(element) {
    return element && element.closest && element.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (typingInto(event.target)) {
      return;
    }
    var rel = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
    if (!rel) {
      return;
    }
    var link = document.querySelector('#card a[rel="' + rel + '"]');
    if (link) {
      event.preventDefault();
      link.click();
    }
  });

  // After htmx swaps in a new card, keep keyboard and screen-reader users on it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var card = document.getElementById("card");
    var target = event.detail && event.detail.target;
    if (card && target && target.id === "card") {
      var title = document.getElementById("resource-title");
      var position = card.querySelector(".position");
      if (title && position) {
        document.title = title.textContent + " (" + position.textContent + ") · Recall";
      }
    }
  });

  // A closed <details> prints nothing: open the resource information for printing.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.resource-info").forEach(function (details) {
      details.open = true;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
