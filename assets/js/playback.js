/*
 * Time playback on the map (pages/map_playback.py, callbacks/map_playback.py).
 *
 * Frames come from /api/v1/playback/frame straight into the browser: the frame shown is
 * fetched (or taken from the prefetch cache), drawn by setting the two playback layers'
 * `data` with dash_clientside.set_props, and frames N+1..N+PREFETCH are fetched while it
 * is shown, so playing never waits on the Dash server nor holds more than a few frames.
 * The slider is the one clock: the Interval moves it on only once the frame under it has
 * been drawn, so a slow network slows playback down instead of skipping frames.
 */
(function () {
    "use strict";

    const PREFETCH = 3;
    const CACHE_MAX = 48;  // frames kept in memory (a few seconds of playback either way)
    const EMPTY = {type: "FeatureCollection", features: []};
    const IDS = {
        layer: "map-playback-layer",
        points: "map-playback-points",
        date: "map-playback-date",
        badge: "map-playback-badge",
        tick: "map-playback-tick",
        play: "map-playback-play",
        slider: "map-playback-slider",
        map: "map-leaflet",
    };

    const state = {wanted: null, drawn: null, drawnUrl: null, cache: new Map(), config: null};

    function dc() { return window.dash_clientside || {}; }
    function noUpdate() { return dc().no_update; }

    function frameUrl(config, n) { return config.url + "&frame=" + n; }

    /** The frame's JSON, from the cache or the network (a failed fetch is not kept). */
    function load(url) {
        if (state.cache.has(url)) {
            const hit = state.cache.get(url);
            state.cache.delete(url);  // most recently used last
            state.cache.set(url, hit);
            return hit;
        }
        const p = fetch(url, {credentials: "same-origin"}).then(function (r) {
            if (!r.ok) { throw new Error("frame " + r.status); }
            return r.json();
        });
        p.catch(function () { state.cache.delete(url); });
        state.cache.set(url, p);
        while (state.cache.size > CACHE_MAX) {
            state.cache.delete(state.cache.keys().next().value);
        }
        return p;
    }

    function prefetch(config, n) {
        for (let k = n + 1; k <= Math.min(config.frames - 1, n + PREFETCH); k++) {
            load(frameUrl(config, k)).catch(function () { /* shown when reached */ });
        }
    }

    function labelOf(config, frame) {
        const total = (config.total || "{n}").replace("{n}", String(frame.total || 0));
        return frame.label + " · " + total;
    }

    /** The slider's handle is Dash's (no aria props): name it, and say its frame's date. */
    function labelThumb(valueText) {
        const box = document.getElementById(IDS.slider);
        const thumb = box && box.querySelector("[role=slider]");
        if (!thumb) { return; }
        const holder = box.closest("[data-slider-label]");
        if (holder && thumb.getAttribute("aria-label") !== holder.dataset.sliderLabel) {
            thumb.setAttribute("aria-label", holder.dataset.sliderLabel);
        }
        if (valueText !== undefined) { thumb.setAttribute("aria-valuetext", valueText); }
    }

    if (window.MutationObserver) {  // the handle is drawn (and may be redrawn) by React
        new MutationObserver(function () { labelThumb(); })
            .observe(document.documentElement, {childList: true, subtree: true});
    }

    function badge(text) {
        const node = document.getElementById(IDS.badge);
        if (node) { node.textContent = text; }
    }

    function mark(frame, text) {
        labelThumb(frame.label);
        badge(text);
        const node = document.getElementById(IDS.date);
        if (node) {
            node.dataset.frame = String(frame.frame);
            node.dataset.frameStart = frame.start;
            node.dataset.frameLabel = frame.label;
        }
        const map = document.getElementById(IDS.map);
        if (map) { map.dataset.playbackStart = frame.start; }
    }

    /** While playback is on the live incidents and density are hidden at once (their
     *  URLs are also dropped, callbacks/map_layers.py, so nothing live is fetched). */
    function activate(on) {
        const main = document.querySelector(".mq-main");
        if (main) { main.classList.toggle("mq-playback-active", on); }
    }

    function clear() {
        activate(false);
        badge("");
        state.wanted = state.drawn = state.drawnUrl = null;
        const set = dc().set_props;
        if (set) {
            set(IDS.layer, {data: EMPTY});
            set(IDS.points, {data: EMPTY});
        }
        const node = document.getElementById(IDS.date);
        if (node) { delete node.dataset.frame; delete node.dataset.frameStart; delete node.dataset.frameLabel; }
        const map = document.getElementById(IDS.map);
        if (map) { delete map.dataset.playbackStart; }
    }

    /** Clientside callback: show frame `value` of `config`; resolves to the date label. */
    function show(value, config) {
        state.config = config;
        if (!config || !config.on || !config.url) {
            clear();
            return "";
        }
        activate(true);
        const n = Math.max(0, Math.min(config.frames - 1, Math.round(Number(value) || 0)));
        const url = frameUrl(config, n);
        state.wanted = url;
        prefetch(config, n);
        return load(url).then(function (frame) {
            if (state.wanted !== url) { return noUpdate(); }  // the slider moved on
            const set = dc().set_props;
            set(IDS.layer, {data: frame.density || EMPTY});
            set(IDS.points, {data: frame.points || EMPTY});
            state.drawn = n;
            state.drawnUrl = url;
            const text = labelOf(config, frame);
            mark(frame, text);
            return text;
        }).catch(function () {
            if (state.wanted !== url) { return noUpdate(); }
            state.drawn = n;  // playback goes on past a frame that failed
            return config.failed || "!";
        });
    }

    function setPlaying(playing, config) {
        const set = dc().set_props;
        if (!set) { return; }
        const c = config || state.config || {};
        const text = playing ? c.pauseText : c.playText;
        set(IDS.tick, {disabled: !playing});
        set(IDS.play, text ? {children: text, "aria-pressed": String(playing)} : {"aria-pressed": String(playing)});
    }

    /** Clientside callback of the Interval: the next frame once this one is drawn. */
    function tick(_n, value, max) {
        const v = Math.round(Number(value) || 0);
        if (state.drawn !== v) { return noUpdate(); }  // still loading: wait, skip nothing
        if (v >= max) {
            setPlaying(false);
            return noUpdate();
        }
        return v + 1;
    }

    /** Clientside callback of the play button (and of the config: off stops playing). */
    function toggle(nClicks, config, disabled, value, max) {
        const triggered = ((dc().callback_context || {}).triggered || []).map(function (t) {
            return String(t.prop_id || "");
        });
        const pressed = triggered.some(function (p) { return p.indexOf(IDS.play + ".") === 0; });
        if (!config || !config.on) {
            setPlaying(false, config);
            return noUpdate();
        }
        if (!pressed) {
            if (disabled) { setPlaying(false, config); }  // fresh texts (language)
            return noUpdate();
        }
        const start = !!disabled;
        if (start && Math.round(Number(value) || 0) >= max) {
            dc().set_props(IDS.slider, {value: 0});  // at the end: play again from the start
        }
        setPlaying(start, config);
        return noUpdate();
    }

    function speed(fps) {
        const f = Math.max(1, Math.min(8, Number(fps) || 2));
        return Math.round(1000 / f);
    }

    /** A frame's incident (zoomed in): a small dot in its category's colour. */
    function playbackPoint(feature, latlng, context) {
        const p = feature.properties || {};
        const h = (context && context.hideout) || (context && context.props && context.props.hideout) || {};
        const marker = L.circleMarker(latlng, {
            radius: 5, color: "#ffffff", weight: 1, fillColor: p.color || "#4263eb", fillOpacity: 0.9,
            pane: h.pane || "mq-playback", className: "mq-playback-point", interactive: true,
        });
        marker.bindTooltip(String(p.occurred_at || "").replace("T", " "), {className: "mq-tip", direction: "top"});
        return marker;
    }

    const playback = {show: show, tick: tick, toggle: toggle, speed: speed, state: state};
    window.minqing = Object.assign({}, window.minqing, {playback: playback});
    window.minqing.map = Object.assign({}, window.minqing.map, {playbackPoint: playbackPoint});
    window.dash_clientside = Object.assign({}, window.dash_clientside, {minqingPlayback: playback});
})();
