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
 *
 * Made to be read from five metres (assets/css/minqing.css), so two things are done by
 * measuring the page rather than by guessing sizes:
 *   fit()      a list shows only the rows that fit whole in its card (names wrap, so a
 *              long English name may take a second line): the rows below are hidden, the
 *              most urgent / newest stay. Run after every refresh and view change;
 *   labels()   the map's place names: where two would overlap, the higher level (county
 *              before street before community before grid) is kept and the other hidden.
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
            // the row says "overdue" in words the moment its clock runs out
            const row = el.closest(".mq-wall-sla-row");
            if (row) { row.classList.toggle("mq-wall-sla-late", over); }
        });
    }

    const LISTS = ".mq-wall-feed, .mq-wall-sla, .mq-wall-ranks, .mq-wall-spikes";
    const ROW_OFF = "mq-wall-row-off";

    function fit() {
        document.querySelectorAll(LISTS).forEach(function (box) {
            const rows = Array.prototype.slice.call(box.children);
            rows.forEach(function (r) { r.classList.remove(ROW_OFF); });
            const bottom = box.getBoundingClientRect().bottom + 0.5;
            let full = false;
            rows.forEach(function (r) {
                if (full || r.getBoundingClientRect().bottom > bottom) {
                    full = true;
                    r.classList.add(ROW_OFF);
                }
            });
        });
    }

    /** The map's place names: where two would overlap, the higher level stays (the
     *  shared pass of assets/js/minqing.js, run again after the wall's own layout). */
    function labels() {
        const shared = window.minqing && window.minqing.map && window.minqing.map.declutterLabels;
        if (shared) { shared(document.getElementById("wall-map")); }
    }

    let pending = false;
    function relayout() {
        if (pending) { return; }
        pending = true;
        requestAnimationFrame(function () { pending = false; fit(); labels(); });
    }

    function watch() {
        const root = document.getElementById("wall-root");
        if (!root) { return false; }
        // the screen's language for assistive technology, when the page does not say it
        if (!document.documentElement.getAttribute("lang") && root.getAttribute("lang")) {
            document.documentElement.setAttribute("lang", root.getAttribute("lang"));
        }
        new MutationObserver(relayout).observe(root, {childList: true, subtree: true});
        window.addEventListener("resize", relayout);
        relayout();
        return true;
    }

    const wall = {
        seen: function (status) {
            if (!status) { return "--:--:--"; }
            lastOk = Date.now();
            setTimeout(function () { countdowns(); relayout(); }, 0);  // after the new rows
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
            setTimeout(relayout, 0);
            return base + " mq-wall-show-" + ((n || 0) % count);
        },
    };

    // the page is rendered by Dash after this script runs: watch for the wall's root
    if (!watch()) {
        const wait = new MutationObserver(function () { if (watch()) { wait.disconnect(); } });
        wait.observe(document.documentElement, {childList: true, subtree: true});
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {minqingWall: wall});
})();
