/* The caseworker workspace's keyboard shortcuts, a progressive enhancement: a single letter key presses the link
   or button whose aria-keyshortcuts names it (N: next case, C: claim). Never while typing in a field, never with a
   modifier (the browser's and the screen reader's own shortcuts stay theirs). */
(function () {
  "use strict";
  var FIELDS = "input, textarea, select, [contenteditable]";
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var target = event.target;
    if (target instanceof Element && target.closest(FIELDS)) {
      return;
    }
    if (!/^[a-z]$/i.test(event.key)) {
      return;
    }
    var control = document.querySelector('[aria-keyshortcuts="' + event.key.toUpperCase() + '"]');
    if (control) {
      event.preventDefault();
      control.click();
    }
  });
})();
