/*
 * MinQing Map: the wall screen's clientside callbacks (window.dash_clientside.minqingWall).
 *
 * The "data as of" clock turns red once no refresh has succeeded for 1.5 refresh
 * intervals. Two callbacks, so that the check never waits for the server:
 *   seen(status)            the refresh store changed: note the time (by the browser's own
 *                           clock, so a server clock that differs does not matter) and
 *                           show the time of the data;
 *   stale(tick, intervalMs) every second, on a tick of its own: the clock's class. It
 *                           takes nothing from the refresh callback, because Dash holds a
 *                           callback back while one of its inputs is still being computed,
 *                           so a hanging refresh would stop a check that listened to it.
 *                           The same tick moves the SLA countdowns on: each row holds the
 *                           seconds left when its snapshot arrived (data-left), counted
 *                           down from that moment by the browser's clock;
 *   rotate(n, className)    the rotating views: show view n modulo their number.
 */
(function () {
    "use strict";

    let lastOk = 0;  // when a refresh last succeeded
    let since = 0;   // when the clock first ran (before the first refresh)

    function pad(n) { return (n < 10 ? "0" : "") + n; }

    function countdowns() {
        const box = document.getElementById("wall-sla");
        if (!box) { return; }
        const elapsed = lastOk ? Math.floor((Date.now() - lastOk) / 1000) : 0;
        const leftLabel = box.getAttribute("data-left-label") || "";
        const overLabel = box.getAttribute("data-over-label") || "";
        const daysLabel = box.getAttribute("data-days-label") || "d";
        box.querySelectorAll(".mq-wall-sla-left[data-left]").forEach(function (el) {
            const left = parseInt(el.getAttribute("data-left"), 10) - elapsed;
            if (isNaN(left)) { return; }
            const over = left < 0;
            let s = Math.abs(left);
            const d = Math.floor(s / 86400); s -= d * 86400;
            const h = Math.floor(s / 3600); s -= h * 3600;
            const m = Math.floor(s / 60); s -= m * 60;
            const text = (over ? overLabel : leftLabel) + " "
                + (d ? d + daysLabel + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
            if (el.textContent !== text) { el.textContent = text; }
            el.classList.toggle("mq-wall-sla-over", over);
        });
    }

    const wall = {
        seen: function (status) {
            if (!status) { return "--:--:--"; }
            lastOk = Date.now();
            setTimeout(countdowns, 0);  // after the new rows are on the page
            return String(status.at || "--:--:--");
        },
        stale: function (tick, intervalMs) {
            const now = Date.now();
            if (!since) { since = now; }
            countdowns();
            const late = now - (lastOk || since) > 1.5 * (intervalMs || 10000);
            return "mq-wall-clock" + (late ? " mq-wall-stale" : "");
        },
        rotate: function (n, className) {
            const box = document.getElementById("wall-views");
            const count = parseInt((box && box.getAttribute("data-views")) || "3", 10) || 3;
            const base = String(className || "").replace(/\s*mq-wall-show-\d+/g, "");
            return base + " mq-wall-show-" + ((n || 0) % count);
        },
    };

    window.dash_clientside = Object.assign({}, window.dash_clientside, {minqingWall: wall});
})();
