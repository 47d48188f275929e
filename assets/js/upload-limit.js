/*
 * MinQing Map: refuse an oversized file in the browser, with a message, instead of
 * silently (dcc.Upload drops a file over its max_size without telling any callback).
 *
 * A drop zone opts in with data attributes on an element around it:
 *   data-max-bytes       the limit in bytes (the server enforces the same limit)
 *   data-too-large       the translated message, "{mb}" standing for the file's size
 *   data-message-target  the id of the Dash component whose children show the message
 *                        (a pattern-matching id as JSON)
 * The message is set through dash_clientside.set_props, so Dash's own state holds it.
 */
(function () {
    "use strict";

    function check(zone, files) {
        const max = Number(zone.dataset.maxBytes);
        const big = Array.from(files || []).find(function (f) { return f.size > max; });
        if (!big || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
        const text = zone.dataset.tooLarge.replace("{mb}", (big.size / 1048576).toFixed(1));
        const target = zone.dataset.messageTarget;
        window.dash_clientside.set_props(target.charAt(0) === "{" ? JSON.parse(target) : target, {
            children: {
                type: "Div",
                namespace: "dash_html_components",
                props: {children: text, className: "mq-import-message mq-import-error"},
            },
        });
    }

    function zoneOf(ev) {
        return ev.target && ev.target.closest ? ev.target.closest("[data-max-bytes]") : null;
    }

    document.addEventListener("change", function (ev) {
        const zone = zoneOf(ev);
        if (zone && ev.target.files) { check(zone, ev.target.files); }
    }, true);
    document.addEventListener("drop", function (ev) {
        const zone = zoneOf(ev);
        if (zone && ev.dataTransfer) { check(zone, ev.dataTransfer.files); }
    }, true);
})();
