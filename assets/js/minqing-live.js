/*
 * MinQing Map: live updates (window.minqing.live).
 *
 * A screen that wants them renders an element with a `data-mq-live` attribute (the header
 * indicator, pages/live_indicator.py) holding its configuration. This script notices it,
 * opens an EventSource to /api/v1/stream (on the stream server's port when it has one,
 * web/streams.py) and, for each pushed change (server events documented in web/live.py):
 *
 *   map   if a changed incident lies in (or near) the current view, bump the version of the
 *         incidents layer (at most once per throttleMs) and of the density layer (at most
 *         once per densityMs) in the live store; the layer-URL callback puts the versions
 *         in just those two URLs, so only they are fetched again, never the whole page;
 *   wall  bump the refresh tick (KPI tiles, top lists) at most once per throttleMs;
 *   queue (a map with a department inbox, `queue` names its timer) bump the inbox's timer
 *         for ANY change in scope, in view or not, at most once per throttleMs: a case just
 *         dispatched to the department shows in its inbox at once;
 *
 *   spike (a `spike` event: new spike warnings in scope) a wall or dispatch board refreshes
 *         as for a change; its warnings panel follows the same tick;
 *
 * and for each newly registered incident in view, a pulsing ring in the category colour
 * for pulseMs. After a reconnection (or a `resync` from the server) everything live is
 * refreshed, since changes may have been missed meanwhile. The indicator shows
 * connecting / live / reconnecting with the translated labels of its configuration.
 *
 * Events carry no personal data (ids, category, status, point, time); nothing from them
 * is parsed as HTML.
 */
(function () {
    "use strict";

    const maps = {};  // Leaflet maps by container id (an init hook registers them)
    const PULSE_PANE = "mq-live";  // z-order in assets/css/minqing-live.css

    function hookLeaflet() {
        if (!window.L || !window.L.Map) { return false; }
        if (!window.L.Map.minqingLiveHooked) {
            window.L.Map.addInitHook(function () {
                const box = this.getContainer && this.getContainer();
                if (box && box.id) { maps[box.id] = this; }
            });
            window.L.Map.minqingLiveHooked = true;
        }
        return true;
    }
    hookLeaflet();

    function mapOf(id) {
        const m = maps[id];
        return m && m._container && document.body.contains(m._container) ? m : null;
    }

    function toLatLng(item, crs) {
        let lon = item.lon, lat = item.lat;
        const m = window.minqing && window.minqing.map;
        if (crs === "gcj02" && m && m.wgs84ToGcj02) {
            const g = m.wgs84ToGcj02(lon, lat);
            lon = g[0]; lat = g[1];
        }
        return window.L.latLng(lat, lon);
    }

    // ------------------------------------------------------------------ one connection
    function Live(el, cfg) {
        this.el = el;
        this.cfg = cfg;
        this.es = null;
        this.opened = false;       // has a stream been open before (then refetch on reopen)
        this.retryTimer = null;
        this.rotating = false;     // the server announced a routine end (reconnect quietly)
        this.backoff = 2000;
        this.timers = {};
        this.last = {i: 0, d: 0, w: 0, q: 0};
        this.versions = {i: cfg.version || "0", d: cfg.version || "0"};
        this.seq = 0;
        this.stopped = false;
        this.connect();
    }

    Live.prototype.setState = function (state) {
        const labels = this.cfg.labels || {};
        const titles = this.cfg.titles || {};
        this.el.className = this.el.className.replace(/\bmq-live-(connecting|live|reconnecting)\b/g, "").trim()
            + " mq-live-" + state;
        const label = this.el.querySelector(".mq-live-label");
        if (label) { label.textContent = labels[state] || state; }
        this.el.title = state === "live" ? (titles.live || "") : (titles.off || "");
        api.state = state;
    };

    Live.prototype.connect = function () {
        const self = this;
        if (self.stopped) { return; }
        const es = new EventSource(streamUrl(self.cfg), {withCredentials: true});
        self.es = es;
        es.addEventListener("open", function () {
            self.backoff = 2000;
            self.rotating = false;
            self.setState("live");
            if (self.opened) {  // changes (and alerts) may have been missed meanwhile
                self.refresh();
                document.dispatchEvent(new CustomEvent("mq-alert"));
            }
            self.opened = true;
        });
        es.addEventListener("error", function () {
            if (self.stopped) { return; }
            // the routine end of a stream every few minutes: reconnect without a fuss
            const quiet = self.rotating && es.readyState === EventSource.CONNECTING;
            if (!quiet) { self.setState("reconnecting"); }
            if (es.readyState === EventSource.CLOSED) {
                // an HTTP error (401 after a sign-out, 5xx): the browser gives up, we do not
                self.es = null;
                clearTimeout(self.retryTimer);
                self.retryTimer = setTimeout(function () { self.connect(); }, self.backoff);
                self.backoff = Math.min(self.backoff * 2, 60000);
            }
        });
        es.addEventListener("change", function (ev) { self.onChange(ev); });
        es.addEventListener("spike", function (ev) { self.onSpike(ev); });
        // an alert in the user's area: the header's badge (assets/js/alerts.js) refetches
        es.addEventListener("alert", function () { document.dispatchEvent(new CustomEvent("mq-alert")); });
        es.addEventListener("resync", function () { self.setState("live"); self.refresh(); });
        es.addEventListener("status", function (ev) {
            const data = parse(ev.data);
            self.setState(data && data.live === false ? "reconnecting" : "live");
        });
        es.addEventListener("end", function (ev) {
            const data = parse(ev.data);
            self.rotating = !!data && data.reason === "rotate";
            if (!self.rotating) { self.setState("reconnecting"); }
        });
    };

    Live.prototype.stop = function () {
        this.stopped = true;
        if (this.es) { this.es.close(); this.es = null; }
        clearTimeout(this.retryTimer);
        Object.keys(this.timers).forEach(function (k) { clearTimeout(this.timers[k]); }, this);
    };

    /** The stream server (web/streams.py) listens on its own port of the page's host;
     *  the session cookie goes with the request (withCredentials: the server answers
     *  CORS for the app's own pages only). Without a port: the configured URL. */
    function streamUrl(cfg) {
        const path = "/api/v1/stream";
        if (cfg.port) { return location.protocol + "//" + location.hostname + ":" + cfg.port + path; }
        return cfg.url || path;
    }

    function parse(text) {
        try { return JSON.parse(text); } catch (e) { return null; }
    }

    Live.prototype.onChange = function (ev) {
        const data = parse(ev.data);
        if (!data) { return; }
        const items = Array.isArray(data.items) ? data.items : [];
        items.forEach(function (it) { remember(it.id); });
        api.received += 1;
        const map = mapOf(this.cfg.map);
        const view = map ? map.getBounds().pad(0.5) : null;
        const crs = this.cfg.crs;
        const inView = items.filter(function (it) {
            return typeof it.lon === "number" && typeof it.lat === "number"
                && (!view || view.contains(toLatLng(it, crs)));
        });
        if (inView.length || data.more || data.resync) { this.refresh(); }
        if (items.length || data.more || data.resync) { this.refreshQueue(); }
        if (data.action === "register" && map) {
            inView.slice(0, 30).forEach(function (it) { this.pulse(map, it); }, this);
        }
    };

    /** Spike warnings in scope (governance/spikes.py): a wall or dispatch board refreshes
     *  (its warnings panel follows the same tick); a map has nothing to show for them. */
    Live.prototype.onSpike = function (ev) {
        const data = parse(ev.data);
        if (!data) { return; }
        const items = Array.isArray(data.items) ? data.items : [];
        api.spikes += items.length + (data.more || 0);
        if (this.cfg.kind === "wall") { this.refresh(); }
    };

    // ------------------------------------------------------------------ refreshing
    /** Run `fn` now, or once `minMs` after its previous run (changes coalesce meanwhile). */
    Live.prototype.throttle = function (key, minMs, fn) {
        const self = this;
        if (self.timers[key]) { return; }
        const wait = Math.max(0, self.last[key] + minMs - Date.now());
        self.timers[key] = setTimeout(function () {
            self.timers[key] = null;
            self.last[key] = Date.now();
            fn();
        }, wait);
    };

    Live.prototype.refreshQueue = function () {
        const self = this, cfg = self.cfg;
        if (!cfg.queue) { return; }
        self.throttle("q", cfg.throttleMs || 1000, function () {
            if (self.bumpTick(cfg.queue)) { api.refreshes.q = (api.refreshes.q || 0) + 1; }
        });
    };

    Live.prototype.refresh = function () {
        const self = this, cfg = self.cfg;
        self.refreshQueue();
        if (cfg.kind === "wall") {
            self.throttle("w", cfg.throttleMs || 1000, function () {
                if (self.bumpTick(cfg.target)) { api.refreshes.w = (api.refreshes.w || 0) + 1; }
            });
            return;
        }
        self.throttle("i", cfg.throttleMs || 1000, function () { self.bumpVersion("i"); });
        self.throttle("d", cfg.densityMs || 5000, function () { self.bumpVersion("d"); });
    };

    Live.prototype.bumpVersion = function (key) {
        const dc = window.dash_clientside;
        if (!dc || !dc.set_props) { return; }
        this.seq += 1;
        this.versions = Object.assign({}, this.versions);
        this.versions[key] = Date.now().toString(36) + this.seq.toString(36);
        dc.set_props(this.cfg.target, {data: this.versions});
        api.refreshes[key] = (api.refreshes[key] || 0) + 1;
    };

    /** Add one to the `n_intervals` of the interval `target` (as if it had ticked). */
    Live.prototype.bumpTick = function (target) {
        const dc = window.dash_clientside;
        if (!dc || !dc.set_props || !dc.Patch) { return false; }
        dc.set_props(target, {n_intervals: new dc.Patch().add([], 1).build()});
        return true;
    };

    // ------------------------------------------------------------------ highlight
    Live.prototype.pulse = function (map, item) {
        if (!hookLeaflet()) { return; }
        const L = window.L;
        const ring = document.createElement("div");
        ring.className = "mq-live-pulse-ring";
        if (typeof item.color === "string" && /^#[0-9a-fA-F]{3,8}$/.test(item.color)) {
            ring.style.color = item.color;  // the ring and the dot use currentColor
        }
        const icon = L.divIcon({html: ring, className: "mq-live-pulse", iconSize: [44, 44], iconAnchor: [22, 22]});
        if (!map.getPane(PULSE_PANE)) { map.createPane(PULSE_PANE); }  // over every marker
        const marker = L.marker(toLatLng(item, this.cfg.crs), {
            icon: icon, interactive: false, keyboard: false, pane: PULSE_PANE,
        });
        marker.addTo(map);
        const el = marker.getElement && marker.getElement();
        if (el) { el.setAttribute("data-incident", String(item.id)); }
        setTimeout(function () { marker.remove(); }, this.cfg.pulseMs || 10000);
    };

    // ------------------------------------------------------------------ lifecycle
    let current = null;

    function remember(id) {
        api.seen.push(id);
        if (api.seen.length > 200) { api.seen.splice(0, api.seen.length - 200); }
    }

    function sync() {
        const el = document.querySelector("[data-mq-live]");
        if (current && current.el === el) { return; }
        if (current) { current.stop(); current = null; api.state = "off"; }
        if (!el || !window.EventSource) { return; }
        hookLeaflet();
        const cfg = parse(el.getAttribute("data-mq-live"));
        if (cfg) { current = new Live(el, cfg); }
    }

    let queued = false;
    function schedule() {
        if (queued) { return; }
        queued = true;
        setTimeout(function () { queued = false; sync(); }, 50);
    }

    const api = {
        state: "off",       // connecting / live / reconnecting / off
        received: 0,        // change events received
        spikes: 0,          // spike warnings received (spike events)
        seen: [],           // ids of the incidents in them (the last 200)
        refreshes: {},      // bumps per layer ("i", "d"), wall tick ("w") or inbox ("q")
        maps: maps,
    };
    window.minqing = Object.assign({}, window.minqing, {live: api});

    function start() {
        new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
        sync();
    }
    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
