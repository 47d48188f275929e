/*
 * MinQing Map: an open screen rides out a database outage (window.minqing.outage).
 *
 * Dash's renderer treats any answer to a callback other than 200 or 204 as a failed
 * callback: it drops the outputs and never asks again, so a page opened before an outage
 * stays half-broken after it (and a page rendered by the pages router stays blank). The
 * server answers an outage with 503, a Retry-After header and JSON
 * {error: "unavailable", message, key} (web/outage.py). This script wraps window.fetch
 * for Dash's own requests (/_dash-update-component, /_dash-layout, /_dash-dependencies)
 * and the map's layer requests (/api/v1/layers/...): on such a 503 it shows the server's
 * translated message in a banner and holds the request, trying it again after
 * Retry-After seconds, then at growing intervals (at most MAX_DELAY_MS), until it is
 * answered; the caller then receives that answer as if nothing had happened. Each held
 * request retries on its own (one that keeps failing holds up no other), and the first
 * success makes every other held request try again at once. The banner goes when none is
 * held. The page recovers by itself, without a reload.
 *
 * Any other answer, and a request that never reached the server, is passed on as is.
 * The banner's text is the server's message, set with textContent.
 */
(function () {
    "use strict";

    const WATCHED = /^\/(_dash-(update-component|layout|dependencies)|api\/v1\/layers\/)/;
    const MAX_DELAY_MS = 30000;
    const BANNER_ID = "mq-outage-banner";

    const original = window.fetch;
    if (!original || original.minqingOutage) { return; }

    const held = new Set();
    const api = {state: "ok", held: 0, retries: 0, recovered: 0, message: ""};

    function watched(input) {
        if (typeof input !== "string" && !(input instanceof URL)) { return false; }
        try {
            const url = new URL(String(input), window.location.href);
            return url.origin === window.location.origin && WATCHED.test(url.pathname);
        } catch (e) {
            return false;
        }
    }

    /** The outage message of a 503 answer, or null for any other answer. */
    function outageOf(res) {
        if (res.status !== 503) { return Promise.resolve(null); }
        return res.clone().json().then(function (body) {
            return body && body.error === "unavailable" ? String(body.message || "") : null;
        }, function () { return null; });
    }

    function retryAfterMs(res) {
        const seconds = parseInt(res.headers.get("Retry-After") || "", 10);
        return Math.min(Math.max(isNaN(seconds) ? 5 : seconds, 1) * 1000, MAX_DELAY_MS);
    }

    // ------------------------------------------------------------------ the banner
    function banner(message) {
        let el = document.getElementById(BANNER_ID);
        if (!el && document.body) {
            el = document.createElement("div");
            el.id = BANNER_ID;
            el.className = "mq-outage-banner";
            el.setAttribute("role", "alert");
            document.body.appendChild(el);
        }
        if (!el) { return; }
        if (message) { el.textContent = message; }
        el.hidden = !message;
    }

    function update(message) {
        api.held = held.size;
        api.state = held.size ? "down" : "ok";
        if (message) { api.message = message; }
        banner(held.size ? (message || api.message) : "");
    }

    // ------------------------------------------------------------------ holding
    function arm(entry) {
        const spread = 0.8 + Math.random() * 0.4;  // screens do not come back in step
        entry.timer = setTimeout(function () { attempt(entry); }, entry.delay * spread);
    }

    function attempt(entry) {
        clearTimeout(entry.timer);
        if (entry.busy || !held.has(entry)) { return; }
        entry.busy = true;
        api.retries += 1;
        original.call(window, entry.input, entry.init).then(function (res) {
            return outageOf(res).then(function (message) {
                entry.busy = false;
                if (message !== null) {
                    entry.delay = Math.min(entry.delay * 1.5, MAX_DELAY_MS);
                    update(message);
                    arm(entry);
                    return;
                }
                held.delete(entry);
                api.recovered += 1;
                update("");
                entry.resolve(res);
                held.forEach(attempt);  // the database is back: the others now
            });
        }, function () {  // the server itself is away (restarting): keep trying
            entry.busy = false;
            entry.delay = Math.min(entry.delay * 1.5, MAX_DELAY_MS);
            arm(entry);
        });
    }

    function hold(input, init, res, message) {
        return new Promise(function (resolve, reject) {
            const entry = {input: input, init: init, resolve: resolve, delay: retryAfterMs(res)};
            const signal = init && init.signal;
            if (signal) {
                signal.addEventListener("abort", function () {
                    clearTimeout(entry.timer);
                    held.delete(entry);
                    update("");
                    reject(signal.reason || new DOMException("Aborted", "AbortError"));
                });
            }
            held.add(entry);
            update(message);
            arm(entry);
        });
    }

    const guarded = function (input, init) {
        const promise = original.apply(this, arguments);
        if (!watched(input)) { return promise; }
        return promise.then(function (res) {
            return outageOf(res).then(function (message) {
                return message === null ? res : hold(input, init, res, message);
            });
        });
    };
    guarded.minqingOutage = true;
    guarded.minqingHooked = original.minqingHooked;  // assets/js/minqing.js wraps only once
    window.fetch = guarded;

    window.minqing = Object.assign({}, window.minqing, {outage: api});
})();
