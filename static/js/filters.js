// Progressive enhancement for the filter forms (templates/includes/filter_form.html).
// Without it the forms work the same: the server resolves typed names itself.
// 1. On a wide screen, the filters start open (on a phone they stay folded, so results come first).
// 2. A text box with data-suggest fills its <datalist> from /suggest/<kind>/?q=… as the reader types.
(function () {
  "use strict";
  if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (box) {
      box.open = true;
    });
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = input.list;
    if (!list || !window.fetch) {
      return;
    }
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      clearTimeout(timer);
      if (text.length < 2 || text === asked) {
        return;
      }
      timer = setTimeout(function () {
        asked = text;
        var url = "/suggest/" + encodeURIComponent(input.dataset.suggest) + "/?q=" + encodeURIComponent(text);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : { suggestions: [] };
          })
          .then(function (data) {
            if (input.value.trim() !== text) {
              return;
            }
            list.replaceChildren.apply(
              list,
              data.suggestions.map(function (item) {
                var option = document.createElement("option");
                option.value = item.value;
                option.label = item.label;
                return option;
              })
            );
          })
          .catch(function () {});
      }, 200);
    });
  });
})();
