/*
 * MinQing Map: the emerging hot-spot layer (layers/emerging.py). Each H3 cell is filled
 * in its category's colour; its tooltip says the category, the grid, its counts and the
 * trend of its clustering, in the words the hideout carries (the payload has none).
 */
(function () {
    "use strict";

    function hideoutOf(context) {
        return (context && context.hideout) || {};
    }

    // dash-leaflet 1.1.3 applies a url that arrived while loading only at its next
    // render: ask Dash for one after each draw (as assets/js/minqing.js does).
    var queued = {};
    function resync(context) {
        var id = context && context.id;
        var dc = window.dash_clientside;
        if (typeof id !== "string" || queued[id] || !dc || !dc.set_props) { return; }
        queued[id] = true;
        setTimeout(function () { delete queued[id]; dc.set_props(id, {}); }, 0);
    }

    function style(feature, context) {
        resync(context);
        var h = hideoutOf(context);
        var cat = (feature.properties || {}).cat;
        return {
            fillColor: (h.colors || {})[cat] || "#bcc5cf",
            fillOpacity: h.opacity || 0.7, color: "#ffffff", weight: 0.8, opacity: 0.9,
            className: "mq-emerging mq-emerging-" + String(cat).replace(/[^a-z_]/g, ""),
            pane: h.pane,
        };
    }

    function tip(feature, layer, context) {
        var h = hideoutOf(context);
        var p = feature.properties || {};
        var text = String(h.tip || "")
            .replace("{cat}", (h.names || {})[p.cat] || p.cat)
            .replace("{grid}", p.grid || "")
            .replace("{total}", p.total).replace("{hot}", p.hot).replace("{cold}", p.cold)
            .replace("{trend}", (h.trends || {})[p.trend] || "");
        var box = document.createElement("div");
        box.className = "mq-tip-body";
        text.split(/[|｜]/).forEach(function (part, k) {
            var line = document.createElement("div");
            line.className = k === 0 ? "mq-tip-title" : "mq-tip-line";
            line.textContent = part.trim();
            box.appendChild(line);
        });
        layer.bindTooltip(box, {className: "mq-tip", sticky: true});
    }

    window.minqing_emerging = {style: style, tip: tip};
})();
