/*
 * MinQing Map: the unread-alerts badge of the shared header (window.minqing.alerts).
 *
 * The header renders a link with a `data-mq-alerts` attribute (pages/header.py) for users
 * who may subscribe to alerts. This script fills in its count from /api/v1/alerts/unread
 * and refreshes it, without a reload, whenever the live stream announces an alert in the
 * user's area (event `alert`, web/live.py): on screens that already hold a stream
 * (assets/js/minqing-live.js re-dispatches it as the DOM event `mq-alert`) through that
 * one, elsewhere through a stream of its own. On the alerts page it also bumps the page's
 * store (`alerts-version`), so the inbox is redrawn. A reconnection refreshes too, since
 * alerts may have been published meanwhile. The count is set as text, never as HTML.
 */
(function () {
    "use strict";

    const api = {unread: null, fetches: 0, events: 0, stream: "off"};
    window.minqing = Object.assign({}, window.minqing, {alerts: api});

    let es = null, opened = false, backoff = 2000, retry = null, pending = null, bumps = 0;

    function badge() { return document.querySelector("[data-mq-alerts]"); }
    function config(el) {
        try { return JSON.parse(el.getAttribute("data-mq-alerts")) || {}; } catch (e) { return {}; }
    }

    function show(el, n) {
        const cfg = config(el);
        const count = el.querySelector(".mq-alerts-count");
        if (count) { count.textContent = n > 99 ? "99+" : (n > 0 ? String(n) : ""); }
        el.classList.toggle("mq-alerts-unread", n > 0);
        el.setAttribute("data-unread", String(n));
        if (cfg.title) { el.title = cfg.title.replace("{n}", String(n)); }
    }

    function bumpPage() {
        const dc = window.dash_clientside;
        // the store draws no element: look for the inbox it belongs to
        if (!document.getElementById("alerts-inbox") || !dc || !dc.set_props) { return; }
        bumps += 1;
        dc.set_props("alerts-version", {data: Date.now().toString(36) + "." + bumps});
    }

    function refresh() {
        const el = badge();
        if (!el) { return; }
        const cfg = config(el);
        api.fetches += 1;
        fetch(cfg.url || "/api/v1/alerts/unread", {credentials: "same-origin",
                                                   headers: {"Accept": "application/json"}})
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (data) {
                if (!data || typeof data.unread !== "number") { return; }
                const before = api.unread;
                api.unread = data.unread;
                const now = badge();
                if (now) { show(now, data.unread); }
                if (before !== null && before !== data.unread) { bumpPage(); }
            })
            .catch(function () { /* the next event or reconnection tries again */ });
    }

    function soon() {  // a burst of alerts: one fetch
        if (pending) { return; }
        pending = setTimeout(function () { pending = null; refresh(); }, 300);
    }

    function onAlert() { api.events += 1; soon(); }
    document.addEventListener("mq-alert", onAlert);

    // ------------------------------------------------------------------ own stream
    function closeStream() {
        if (es) { es.close(); es = null; }
        clearTimeout(retry);
        api.stream = "off";
    }

    /** The stream server (web/streams.py) on its own port of the page's host, with the
     *  session cookie (as assets/js/minqing-live.js); without a port, the given URL. */
    function streamUrl(target) {
        const path = "/api/v1/stream";
        if (target && target.port) {
            return location.protocol + "//" + location.hostname + ":" + target.port + path;
        }
        return (target && target.url) || path;
    }

    function openStream(target) {
        if (es || !window.EventSource) { return; }
        const mine = new EventSource(streamUrl(target), {withCredentials: true});
        es = mine;
        api.stream = "connecting";
        mine.addEventListener("open", function () {
            backoff = 2000;
            api.stream = "live";
            if (opened) { soon(); }  // alerts may have come meanwhile
            opened = true;
        });
        mine.addEventListener("alert", onAlert);
        mine.addEventListener("error", function () {
            if (mine.readyState === EventSource.CLOSED && es === mine) {
                es = null;
                api.stream = "off";
                retry = setTimeout(sync, backoff);
                backoff = Math.min(backoff * 2, 60000);
            }
        });
    }

    let current = null, lastDrawn = NaN;
    function sync() {
        const el = badge();
        if (el !== current) {
            current = el;
            if (el) { refresh(); }
        }
        // the alerts page states the count it drew (after marking read, say): a newly
        // drawn count is the latest word
        const drawn = document.getElementById("alerts-unread");
        const n = drawn ? parseInt(drawn.getAttribute("data-unread") || "", 10) : NaN;
        if (el && !isNaN(n) && n !== lastDrawn) { lastDrawn = n; api.unread = n; show(el, n); }
        // a screen with its own live stream passes alerts on (mq-alert); else open one
        const need = el && !document.querySelector("[data-mq-live]");
        if (!need) { closeStream(); return; }
        openStream(config(el).stream);
    }

    let queued = false;
    function schedule() {
        if (queued) { return; }
        queued = true;
        setTimeout(function () { queued = false; sync(); }, 50);
    }

    function start() {
        new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
        sync();
    }
    api.refresh = refresh;
    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
