/* The reading view's "Cite" button (templates/admin/articles/article/read.html).

   Progressive enhancement: every sentence already has a "cite" link. With this
   script, selecting any passage shows a Cite button that opens the citation
   form with the selection filled in. Positions are sent as UTF-16 code units
   (what the DOM counts), from each sentence's data-start16; the server maps
   them to the code points a citation stores. Evidence markers (the numbers
   after a cited passage) are not part of the text and are not counted. */
(function () {
  "use strict";

  var bar = document.getElementById("cite-bar");
  if (!bar) { return; }
  var label = document.getElementById("cite-bar-selection");
  var button = document.getElementById("cite-bar-button");
  var chosen = null;

  function textOf(fragmentOrNode) {
    var copy = fragmentOrNode.cloneNode(true);
    var refs = copy.querySelectorAll(".evidence-refs");
    for (var i = 0; i < refs.length; i++) { refs[i].parentNode.removeChild(refs[i]); }
    return copy.textContent;
  }

  function unitsBefore(sentence, node, offset) {
    var range = document.createRange();
    range.setStart(sentence, 0);
    range.setEnd(node, offset);
    return textOf(range.cloneContents()).length;
  }

  function elementOf(node) {
    return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  }

  /* The UTF-16 offset in the source of a selection boundary. Outside any
     sentence (in the space between two, or on a "cite" link), a start snaps to
     the next sentence's start and an end to the previous sentence's end. */
  function position(prose, node, offset, isStart) {
    var inside = elementOf(node).closest(".sentence");
    if (inside && prose.contains(inside)) {
      return Number(inside.dataset.start16) + unitsBefore(inside, node, offset);
    }
    var point = document.createRange();
    point.setStart(node, offset);
    var sentences = prose.querySelectorAll(".sentence");
    var found = null;
    for (var i = 0; i < sentences.length; i++) {
      var s = sentences[i];
      if (isStart && point.comparePoint(s, 0) >= 0) { found = Number(s.dataset.start16); break; }
      if (!isStart && point.comparePoint(s, s.childNodes.length) <= 0) {
        found = Number(s.dataset.start16) + textOf(s).length;
      }
    }
    return found;
  }

  function update() {
    var selection = window.getSelection();
    chosen = null;
    if (selection && selection.rangeCount && !selection.isCollapsed) {
      var range = selection.getRangeAt(0);
      var prose = elementOf(range.commonAncestorContainer).closest(".reading-prose");
      if (prose) {
        var start = position(prose, range.startContainer, range.startOffset, true);
        var end = position(prose, range.endContainer, range.endOffset, false);
        if (start !== null && end !== null && end > start) {
          chosen = { location: prose.dataset.location, start16: start, end16: end };
          var shown = textOf(range.cloneContents()).replace(/\s+/g, " ").trim();
          label.textContent = "Selected: “" + (shown.length > 90 ? shown.slice(0, 89) + "…" : shown) + "”";
        }
      }
    }
    bar.hidden = chosen === null;
  }

  document.addEventListener("selectionchange", update);
  button.addEventListener("click", function () {
    if (!chosen) { return; }
    var params = new URLSearchParams({ location: chosen.location, start16: chosen.start16, end16: chosen.end16 });
    window.location.assign(bar.dataset.citeUrl + "?" + params.toString());
  });
})();
