// Review keys: Space shows the answer, 1 to 4 rate it. Also times each answer.
// The forms work without this file; htmx swaps the next card in when it is loaded.
(function () {
  "use strict";
  var shownAt = Date.now();

  function review() {
    return document.getElementById("review");
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    var section = review();
    if (!section || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var button = null;
    if (event.key === " " || event.key === "Spacebar") {
      button = section.querySelector("[data-study-show]");
    } else if (/^[1-4]$/.test(event.key)) {
      button = section.querySelector('[data-rating="' + event.key + '"]');
    }
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  // The time from the question appearing to the rating, sent with the answer.
  document.addEventListener("submit", function (event) {
    var field = event.target.querySelector && event.target.querySelector("[data-study-duration]");
    if (field) {
      field.value = String(Math.max(0, Date.now() - shownAt));
    }
  }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.parameters && "duration_ms" in event.detail.parameters) {
      event.detail.parameters.duration_ms = String(Math.max(0, Date.now() - shownAt));
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var section = review();
    if (!section) {
      return;
    }
    if (section.querySelector("[data-study-show]")) {
      shownAt = Date.now(); // a new question
    }
    var focus = section.querySelector("[data-study-show], [data-rating='3']");
    if (focus) {
      focus.focus();
    }
  });
})();
