/*
 * MinQing Map: every clientside function of the map, under one namespace.
 *
 *   window.minqing.map.*   style / pointToLayer / onEachFeature / coordsToLatLng functions,
 *                          referenced from Python as Namespace("minqing", "map")("name").
 *   window.minqing.ui.*    clientside callbacks (language switch, panels, density stats).
 *
 * dash-leaflet calls each function with its usual Leaflet arguments plus a trailing
 * `context` ({map, hideout, ...props}). Translated strings and colours arrive in `hideout`,
 * so this file holds no user-visible text. Data is never parsed as HTML: every label
 * and tooltip is a DOM node filled with textContent.
 */
(function () {
    "use strict";

    // ------------------------------------------------------------------ helpers
    /** A phone: the media query of the phone layout in assets/css/minqing.css. */
    const PHONE = "(max-width: 640px)";

    function el(tag, className, text) {
        const node = document.createElement(tag);
        if (className) { node.className = className; }
        if (text !== undefined && text !== null) { node.textContent = String(text); }
        return node;
    }

    /** A tooltip body: a bold title line, then muted lines (all textContent). */
    function tipNode(title, lines, swatch) {
        const box = el("div", "mq-tip-body");
        const head = el("div", "mq-tip-title");
        if (swatch) {
            const dot = el("span", "mq-tip-swatch");
            dot.style.background = swatch;
            head.appendChild(dot);
        }
        head.appendChild(document.createTextNode(title == null ? "" : String(title)));
        box.appendChild(head);
        (lines || []).forEach(function (line) {
            if (line) { box.appendChild(el("div", "mq-tip-line", line)); }
        });
        return box;
    }

    function hideoutOf(context) {
        return (context && context.hideout) || {};
    }

    function zoomOf(context) {
        return context && context.map ? context.map.getZoom() : 10;
    }

    /*
     * dash-leaflet 1.1.3's GeoJSON ignores prop changes (url, hideout) that arrive while it is
     * still loading its previous url, and applies them only at its next render. So after
     * each draw we ask Dash to re-render the layer once (set_props with no props: no
     * callback fires, nothing is refetched unless the url really changed meanwhile).
     *  - a draw with features calls our style / pointToLayer functions: they call resync();
     *  - an empty response calls none of them: the fetch hook below sees the API's
     *    X-Feature-Count: 0 header and re-syncs the layers fed by that endpoint.
     */
    const resyncQueued = {};

    function resyncId(id) {
        const dc = window.dash_clientside;
        if (typeof id !== "string" || resyncQueued[id] || !dc || !dc.set_props) { return; }
        resyncQueued[id] = true;
        setTimeout(function () {
            delete resyncQueued[id];
            dc.set_props(id, {});
        }, 0);
    }

    function resync(context) {
        resyncId(context && context.id);
    }

    /** Layer component ids per API endpoint, published by the page (data-mq-layers). */
    function layerIds(endpoint) {
        const holder = document.querySelector("[data-mq-layers]");
        if (!holder) { return []; }
        try {
            return JSON.parse(holder.getAttribute("data-mq-layers"))[endpoint] || [];
        } catch (e) {
            return [];
        }
    }

    if (window.fetch && !window.fetch.minqingHooked) {
        const originalFetch = window.fetch;
        const LAYER_URL = /\/api\/v1\/layers\/(\w+)\?/;
        const hooked = function (input, init) {
            const promise = originalFetch.apply(this, arguments);
            const url = typeof input === "string" ? input : (input && input.url) || "";
            const match = LAYER_URL.exec(url);
            if (!match) { return promise; }
            return promise.then(function (response) {
                if (response.headers.get("X-Feature-Count") !== "0") { return response; }
                ["json", "arrayBuffer"].forEach(function (method) {
                    const read = response[method].bind(response);
                    response[method] = function () {
                        return read().then(function (body) {
                            layerIds(match[1]).forEach(resyncId);
                            return body;
                        });
                    };
                });
                return response;
            });
        };
        hooked.minqingHooked = true;
        window.fetch = hooked;
    }

    /*
     * Keyboard: the map's shapes stay out of the Tab order (Chromium makes interactive SVG
     * paths focusable: a keyboard user met dozens of grid outlines before the filters);
     * the list of what is in view (pages/map_controls.py) is their way to every object,
     * and the map itself keeps Leaflet's arrow keys and +/- keys. A case, site or area
     * opened from that list moves the focus to the side panel that shows it.
     */
    function untabShapes(root) {
        if (!root || !root.querySelectorAll) { return; }
        if (root.matches && root.matches("path.leaflet-interactive")) {
            root.setAttribute("tabindex", "-1");
        }
        root.querySelectorAll("path.leaflet-interactive:not([tabindex])").forEach(function (p) {
            p.setAttribute("tabindex", "-1");
        });
    }

    let panelFocusWanted = false;

    function onReady(fn) {
        if (document.readyState === "loading") {
            document.addEventListener("DOMContentLoaded", fn);
        } else {
            fn();
        }
    }

    if (window.MutationObserver && document.addEventListener) {
        onReady(function () {
            // a redraw of the panel (after a step is submitted) removes the focused
            // control: the focus goes back to the panel, not to the top of the page
            let focusWasInPanel = false;
            function inPanel(e) {
                return !!(e.target && e.target.closest && e.target.closest("#map-panel"));
            }
            document.addEventListener("focusin", function (e) { focusWasInPanel = inPanel(e); });
            // a pointer elsewhere (even on text that takes no focus) lets the focus go
            document.addEventListener("mousedown", function (e) {
                if (!inPanel(e)) { focusWasInPanel = false; }
            }, true);
            new MutationObserver(function (records) {
                if (focusWasInPanel && document.activeElement === document.body) {
                    const panel = document.getElementById("map-panel");
                    if (panel) { panel.focus(); }
                }
                records.forEach(function (r) {
                    r.addedNodes.forEach(untabShapes);
                    if (panelFocusWanted && r.target && r.target.closest
                            && r.target.closest("#map-panel-body")) {
                        const panel = document.getElementById("map-panel");
                        if (panel && panel.classList.contains("mq-panel-open")) {
                            panelFocusWanted = false;
                            panel.focus();
                        }
                    }
                });
            }).observe(document.body, {childList: true, subtree: true});
            document.addEventListener("click", function (e) {
                if (e.target && e.target.closest && e.target.closest(".mq-view-item")) {
                    panelFocusWanted = true;
                }
            });
        });
    }

    function fmtAt(template, at) {
        return String(template || "{at}").replace("{at}", String(at));
    }

    function fmt(template, n) {
        return String(template || "{n}").replace("{n}", String(n));
    }

    /** Compact count for cluster bubbles: 1234 -> "1234", 12345 -> "1.2万" / "12k". */
    function shortCount(n, lang) {
        if (lang === "en") {
            return n >= 10000 ? Math.round(n / 1000) + "k" : (n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n));
        }
        return n >= 10000 ? (n / 10000).toFixed(1) + "万" : String(n);
    }

    // ------------------------------------------------------------------ WGS84 -> GCJ-02
    const GCJ_A = 6378245.0;
    const GCJ_EE = 0.00669342162296594323;

    function outOfChina(lon, lat) {
        return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
    }

    function gcjDelta(lon, lat) {
        const PI = Math.PI;
        const x = lon - 105.0, y = lat - 35.0;
        let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
            + (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2 / 3
            + (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2 / 3
            + (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2 / 3;
        let dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
            + (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2 / 3
            + (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2 / 3
            + (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2 / 3;
        const radLat = lat / 180.0 * PI;
        const magic = 1 - GCJ_EE * Math.sin(radLat) * Math.sin(radLat);
        const sqrtMagic = Math.sqrt(magic);
        dLat = (dLat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtMagic) * PI);
        dLon = (dLon * 180.0) / (GCJ_A / sqrtMagic * Math.cos(radLat) * PI);
        return [dLon, dLat];
    }

    /** [lon, lat] in WGS84 -> [lon, lat] in GCJ-02 (identity outside China). */
    function wgs84ToGcj02(lon, lat) {
        if (outOfChina(lon, lat)) { return [lon, lat]; }
        const d = gcjDelta(lon, lat);
        return [lon + d[0], lat + d[1]];
    }

    // ------------------------------------------------------------------ areas
    function areaStyle(feature, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const base = (h.styles || {})[p.level] || {};
        const z = zoomOf(context);
        const grow = Math.min(h.maxGrow || 1.6, 1 + (h.growPerZoom || 0.12) * Math.max(0, z - (base.minZoom || 0)));
        const style = Object.assign({}, base, {
            weight: (base.weight || 1) * grow,
            className: "mq-area mq-area-" + p.level,
            pane: h.pane,
        });
        delete style.minZoom;
        if (h.selected !== null && h.selected !== undefined && p.id === h.selected) {
            Object.assign(style, h.selectedStyle || {});
            style.className += " mq-area-selected";
        }
        return style;
    }

    function areaContextStyle(feature, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const base = (h.styles || {})[p.level] || {};
        const style = {
            color: base.color, weight: (base.weight || 1) * (h.contextGrow || 1.35),
            opacity: 0.9, fill: false, interactive: false,
            className: "mq-area-context mq-area-context-" + p.level,
            pane: h.pane,
        };
        if (h.selected !== null && h.selected !== undefined && p.id === h.selected) {
            Object.assign(style, h.selectedStyle || {}, {fill: true, fillColor: style.color || "#1a5fd0", fillOpacity: 0.06});
            style.className += " mq-area-selected";
        }
        return style;
    }

    /** The selected outline is drawn over its neighbours' shared boundaries. */
    function raiseSelected(feature, layer, context) {
        const h = hideoutOf(context);
        const p = feature.properties || {};
        if (h.selected !== null && h.selected !== undefined && p.id === h.selected) {
            // after the whole collection is added (later features would cover it again)
            layer.once("add", function () {
                setTimeout(function () { if (layer._map) { layer.bringToFront(); } }, 0);
            });
        }
    }

    function areaEach(feature, layer, context) {
        raiseSelected(feature, layer, context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const levelLabel = (h.levels || {})[p.level] || p.level;
        layer.bindTooltip(tipNode(p.name, [levelLabel]), {sticky: true, className: "mq-tip", direction: "top", offset: [0, -8]});
    }

    // ------------------------------------------------------------------ labels (base map text)
    /*
     * Label collisions: after each draw (and zoom), labels are walked in priority order,
     * the higher level first (a town's name before its communities'), then as the server
     * sent them (larger areas first); a label whose box overlaps one already kept is
     * hidden (class mq-label-hidden), so names never print over each other.
     */
    const LEVEL_RANK = {county: 0, street: 1, community: 2, grid: 3};
    const LABEL_GAP = 0.15;  // of a name's height kept free around it: touching names read as one

    function labelRank(node) {
        const level = node.getAttribute("data-level") || (String(node.className).match(/mq-label-(\w+)/) || [])[1];
        return LEVEL_RANK[level] === undefined ? 9 : LEVEL_RANK[level];
    }

    /** Hide the names under ``root`` (a map pane, or the wall's map) that would overlap a
     *  name of higher priority. Also called by assets/js/wall.js after its layout. */
    function declutterLabels(root) {
        if (!root || !root.querySelectorAll) { return; }
        const labels = Array.prototype.slice.call(root.querySelectorAll(".mq-label"));
        labels.forEach(function (node) { node.classList.remove("mq-label-hidden"); });
        const ranked = labels.map(function (node, i) {
            return {node: node, rank: labelRank(node), i: i};
        }).sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
        const kept = [];
        ranked.forEach(function (item) {
            const text = item.node.querySelector(".mq-label-text") || item.node;
            const box = text.getBoundingClientRect();
            if (!box.width && !box.height) { return; }
            const pad = Math.max(2, box.height * LABEL_GAP);
            const r = {left: box.left - pad, right: box.right + pad, top: box.top - pad, bottom: box.bottom + pad};
            const hit = kept.some(function (k) {
                return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
            });
            if (hit) {
                item.node.classList.add("mq-label-hidden");
            } else {
                kept.push(r);
            }
        });
    }

    const declutterQueued = {};

    function queueDeclutter(map, paneName) {
        if (!map || declutterQueued[paneName]) { return; }
        declutterQueued[paneName] = true;
        if (!map.mqDeclutterHooked) {
            map.mqDeclutterHooked = true;
            map.on("zoomend", function () { queueDeclutter(map, paneName); });
        }
        setTimeout(function () {
            delete declutterQueued[paneName];
            declutterLabels(map.getPane ? map.getPane(paneName) : null);
        }, 30);
    }

    function labelPoint(feature, latlng, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const node = el("span", "mq-label-text", p.name);
        const icon = L.divIcon({html: node, className: "mq-label mq-label-" + p.level, iconSize: [0, 0]});
        const marker = L.marker(latlng, {icon: icon, interactive: false, keyboard: false, pane: h.pane});
        marker.on("add", function () {
            const iconNode = marker.getElement();
            if (iconNode) { iconNode.setAttribute("data-level", p.level); }
            queueDeclutter(context && context.map, h.pane);
        });
        return marker;
    }

    // ------------------------------------------------------------------ key sites
    function sitePoint(feature, latlng, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const colour = (h.riskColors || {})[p.risk_grade] || "#6b7785";
        // the patrol status is a ring around the marker (minqing.css), not another marker
        // at city zoom a site is a faint square without its patrol ring: the cases lead
        const city = zoomOf(context) <= (h.cityZoom || 10);
        const cls = "mq-site mq-site-" + p.site_type + " mq-risk-" + p.risk_grade +
            (city ? " mq-site-faint" : (p.patrol ? " mq-patrol-" + p.patrol : ""));
        const lines = [(h.types || {})[p.site_type], (h.risks || {})[p.risk_grade]];
        if (p.patrol) {
            lines.push((h.patrol || {})[p.patrol]);
        }
        const tip = tipNode(p.name, lines, colour);
        let marker;
        if (zoomOf(context) >= (h.iconZoom || 12)) {
            const badge = el("div", "mq-site-badge", (h.glyphs || {})[p.site_type] || "?");
            badge.style.background = colour;
            const icon = L.divIcon({html: badge, className: cls + " mq-site-icon", iconSize: [22, 22], iconAnchor: [11, 11]});
            marker = L.marker(latlng, {icon: icon, keyboard: false, zIndexOffset: 100 * (p.risk_grade || 0)});
        } else {
            // zoomed out: a small risk-coloured square (incidents are round)
            const dot = el("div", "mq-site-square");
            dot.style.background = colour;
            const size = 7 + (p.risk_grade || 1);
            const icon = L.divIcon({html: dot, className: cls + " mq-site-dot", iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
            marker = L.marker(latlng, {icon: icon, keyboard: false, pane: h.pane, zIndexOffset: 100 * (p.risk_grade || 0)});
        }
        marker.bindTooltip(tip, {className: "mq-tip", direction: "top", offset: [0, -10]});
        return marker;
    }

    /** Zoomed out, only the riskier sites are drawn (all of them from hideout.allZoom; at
     *  city zoom only the major-risk ones, faintly: the incidents lead). */
    function siteFilter(feature, context) {
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const zoom = zoomOf(context);
        if (zoom <= (h.cityZoom || 10)) { return (p.risk_grade || 0) >= (h.minRiskCity || 4); }
        return zoom >= (h.allZoom || 12) || (p.risk_grade || 0) >= (h.minRiskZoomedOut || 3);
    }

    // ------------------------------------------------------------------ incidents
    function clusterMarker(count, latlng, h, onClick) {
        const d = Math.round(24 + 7 * Math.log10(Math.max(1, count)));
        const tier = count >= 1000 ? "l" : (count >= 100 ? "m" : "s");
        const bubble = el("div", "mq-cluster-bubble", shortCount(count, h.lang));
        bubble.style.width = bubble.style.height = bubble.style.lineHeight = d + "px";
        const icon = L.divIcon({html: bubble, className: "mq-incident-cluster mq-cluster-" + tier,
            iconSize: [d, d], iconAnchor: [d / 2, d / 2]});
        const marker = L.marker(latlng, {icon: icon, keyboard: false, zIndexOffset: 1000 + count});
        marker.bindTooltip(tipNode(fmt(h.clusterTip, count), [h.clusterHint]), {className: "mq-tip", direction: "top", offset: [0, -d / 2]});
        if (onClick) { marker.on("click", onClick); }
        return marker;
    }

    /** One incident (small coloured circle) or a server-side H3 cluster (bubble). */
    function incidentPoint(feature, latlng, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        if (p.cluster) {
            return incidentCluster(feature, latlng, null, context);
        }
        const when = String(p.occurred_at || "").replace("T", " ");
        const radius = p.priority === 1 ? 6.5 : (p.priority === 2 ? 5.5 : 4.5);
        const byUrgency = h.colourBy === "urgency";
        const urgent = (h.urgencyColors || {})[p.urgency] || "#5c6670";
        // By category: the category's fill inside a dark hairline (>= 3:1 on the light
        // map whatever the fill). By urgency: the urgency's fill, the category group's
        // colour as a ring (the secondary cue; minqing.css adds a white halo).
        const marker = L.circleMarker(latlng, byUrgency ? {
            radius: radius + 1.5, color: p.group_color || p.color || "#343a40", weight: 2.5,
            opacity: 1, fillColor: urgent, fillOpacity: 1,
            className: "mq-incident mq-incident-urgency mq-urgency-" + p.urgency + " mq-priority-" + p.priority,
            pane: h.pane,
        } : {
            radius: radius, color: "#1f2933", weight: 1, opacity: 0.85,
            fillColor: p.color || "#d9480f", fillOpacity: 0.95,
            className: "mq-incident mq-priority-" + p.priority, pane: h.pane,
        });
        const name = (h.categories || {})[p.category_code] || p.category_code;
        const lines = [when, (h.statuses || {})[p.status], (h.sources || {})[p.source]];
        if (p.urgency && p.urgency !== "closed") {
            let state = (h.urgencyNames || {})[p.urgency] || "";
            if (p.due_at) { state += " · " + fmtAt(h.dueText, p.due_at.replace("T", " ")); }
            lines.unshift(state);
        }
        marker.bindTooltip(tipNode(name, lines, byUrgency ? urgent : p.color),
            {className: "mq-tip", direction: "top", offset: [0, -6]});
        return marker;
    }

    /**
     * Incidents under a supercluster cluster. Its members may be server clusters, whose
     * `cluster: true` property would mislead supercluster's getLeaves, so walk the children.
     */
    function clusterTotal(index, clusterId) {
        let total = 0;
        index.getChildren(clusterId).forEach(function (child) {
            const cp = child.properties || {};
            total += cp.cluster_id !== undefined ? clusterTotal(index, cp.cluster_id) : (cp.count || 1);
        });
        return total;
    }

    /** Cluster bubble: supercluster clusters (sum of member counts) or server H3 clusters. */
    function incidentCluster(feature, latlng, index, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const count = index && p.cluster_id !== undefined ? clusterTotal(index, p.cluster_id) : (p.count || p.point_count || 1);
        const zoomIn = p.cluster_id === undefined && context && context.map ? function () {
            const map = context.map;
            map.flyTo(latlng, Math.min(map.getMaxZoom() || 18, map.getZoom() + 2), {duration: 0.5});
        } : null;
        return clusterMarker(count, latlng, h, zoomIn);
    }

    // ------------------------------------------------------------------ key persons
    /*
     * Features carry no identity: a point has {id, category, care_level, grid_id}; a count
     * (roles without points) has {grid_id, name, count} at the grid's label point.
     */
    function personCountMarker(count, latlng, h, title, className) {
        const badge = el("div", "mq-person-count-badge", shortCount(count, h.lang));
        const w = 14 + 7 * String(shortCount(count, h.lang)).length;
        const icon = L.divIcon({html: badge, className: className, iconSize: [w, 20], iconAnchor: [w / 2, 10]});
        const marker = L.marker(latlng, {icon: icon, keyboard: false, zIndexOffset: 500 + count});
        const lines = title === null ? [h.clusterHint] : [fmt(h.countTip, count)];
        marker.bindTooltip(tipNode(title === null ? fmt(h.countTip, count) : title, lines, h.countColor),
            {className: "mq-tip", direction: "top", offset: [0, -10]});
        return marker;
    }

    /** A key person's residence (a ring in the category colour, larger for more care) or
     *  a grid's count badge. */
    function personPoint(feature, latlng, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        if (p.category === undefined && p.count !== undefined) {
            return personCountMarker(p.count, latlng, h, p.name, "mq-person-count");
        }
        const care = Math.max(1, Math.min(3, p.care_level || 1));
        const colour = (h.colors || {})[p.category] || "#6b7785";
        const size = 10 + 3 * care;
        const ring = el("div", "mq-person-ring");
        ring.style.borderColor = colour;
        ring.style.background = care >= 3 ? colour : "#ffffff";
        const icon = L.divIcon({html: ring, className: "mq-person-point mq-person-cat-" + p.category + " mq-care-" + care,
            iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
        const marker = L.marker(latlng, {icon: icon, keyboard: false, pane: h.pane, zIndexOffset: 100 * care});
        marker.bindTooltip(tipNode((h.categories || {})[p.category] || p.category, [(h.care || {})[care]], colour),
            {className: "mq-tip", direction: "top", offset: [0, -size / 2]});
        return marker;
    }

    /** A supercluster bubble: the persons under it (counts summed). Clicking zooms in. */
    function personCluster(feature, latlng, index, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const count = index && p.cluster_id !== undefined ? clusterTotal(index, p.cluster_id) : (p.point_count || 1);
        return personCountMarker(count, latlng, h, null, "mq-person-cluster");
    }

    // ------------------------------------------------------------------ density (H3)
    function densityStyle(feature, context) {
        resync(context);
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const colours = h.colors || [];
        return {
            fillColor: colours[Math.max(0, Math.min(colours.length - 1, p.cls || 0))] || "#fd8d3c",
            fillOpacity: h.opacity || 0.6, color: h.stroke || "#ffffff", weight: 0.4, opacity: 0.6,
            className: "mq-hex mq-hex-" + (p.cls || 0), pane: h.pane, interactive: false,
        };
    }

    // ------------------------------------------------------------------ patrol coverage
    /** The class of an area's share of visits done on time (hideout.breaks), or -1 when
     * too few visits were due to judge. */
    function coverageClass(p, h) {
        if ((p.due || 0) < (h.minDue || 5)) {
            return -1;
        }
        const share = (p.on_time || 0) / p.due;
        const breaks = h.breaks || [0];
        let k = 0;
        for (let i = 0; i < breaks.length; i++) {
            if (share >= breaks[i]) {
                k = i;
            }
        }
        return k;
    }

    function coverageStyle(feature, context) {
        resync(context);
        const h = hideoutOf(context);
        const k = coverageClass(feature.properties || {}, h);
        return {
            fillColor: k < 0 ? (h.noData || "#bcc5cf") : (h.colors || [])[k],
            fillOpacity: h.opacity || 0.55, color: "#ffffff", weight: 1, opacity: 0.9,
            className: "mq-coverage mq-coverage-" + k, pane: h.pane,
        };
    }

    function coverageTip(feature, layer, context) {
        const h = hideoutOf(context);
        const p = feature.properties || {};
        const k = coverageClass(p, h);
        const text = k < 0 ? (h.tipNone || "") :
            (h.tip || "").replace("{share}", Math.round(100 * p.on_time / p.due))
                .replace("{done}", p.on_time).replace("{due}", p.due);
        layer.bindTooltip(tipNode(p.name, [text], null), {className: "mq-tip", sticky: true});
    }

    // ------------------------------------------------------------------ coordinates
    /** GeoJSON coordsToLatLng for GCJ-02 basemaps: WGS84 [lon, lat] -> shifted L.LatLng. */
    function coordsGcj02(coords) {
        const g = wgs84ToGcj02(coords[0], coords[1]);
        return L.latLng(g[1], g[0]);
    }

    // ------------------------------------------------------------------ clientside callbacks
    const noUpdate = function () {
        return window.dash_clientside ? window.dash_clientside.no_update : undefined;
    };

    /*
     * Fitting inside the visible map: the control card (left) and the side panel (right;
     * on a phone, sheets at the top or bottom) lie over the map, so a fit or fly-to pads
     * each side by what covers it. A tall card covers its side, a wide one the top or
     * bottom. Measured at the moment of the move, after the panel has opened.
     */
    const OVERLAYS = ["map-controls", "map-panel"];
    const FIT_MARGIN = 16;

    function visiblePadding(mapNode) {
        const m = mapNode.getBoundingClientRect();
        const pad = {left: FIT_MARGIN, right: FIT_MARGIN, top: FIT_MARGIN, bottom: FIT_MARGIN};
        OVERLAYS.forEach(function (id) {
            const node = document.getElementById(id);
            if (!node || !node.offsetParent) { return; }
            const r = node.getBoundingClientRect();
            if (r.width < 1 || r.height < 1 || r.right <= m.left || r.left >= m.right
                || r.bottom <= m.top || r.top >= m.bottom) { return; }
            if (r.height >= r.width) {
                if (r.left + r.width / 2 < m.left + m.width / 2) {
                    pad.left = Math.max(pad.left, r.right - m.left + FIT_MARGIN);
                } else {
                    pad.right = Math.max(pad.right, m.right - r.left + FIT_MARGIN);
                }
            } else if (r.top + r.height / 2 < m.top + m.height / 2) {
                pad.top = Math.max(pad.top, r.bottom - m.top + FIT_MARGIN);
            } else {
                pad.bottom = Math.max(pad.bottom, m.bottom - r.top + FIT_MARGIN);
            }
        });
        // never pad away more than 70% of either dimension (a phone with both open)
        const sx = Math.min(1, 0.7 * m.width / (pad.left + pad.right));
        const sy = Math.min(1, 0.7 * m.height / (pad.top + pad.bottom));
        return {
            paddingTopLeft: [Math.round(pad.left * sx), Math.round(pad.top * sy)],
            paddingBottomRight: [Math.round(pad.right * sx), Math.round(pad.bottom * sy)],
        };
    }

    const ui = {
        /** Language button: store the choice in the cookie and rebuild the page. */
        switchLang: function (nClicks, target) {
            if (!nClicks || !target) { return noUpdate(); }
            document.cookie = "minqing_lang=" + encodeURIComponent(target)
                + "; path=/; max-age=31536000; SameSite=Lax";
            window.location.reload();
            return target;
        },
        /**
         * Open / close the layer panel. It starts with "mq-collapsed-phone", collapsed on a
         * phone only (PHONE, the breakpoint of minqing.css): a tap there opens it (dropping
         * both classes); elsewhere the class does nothing and is dropped at the first toggle.
         */
        toggleCollapsed: function (nClicks, className) {
            const classes = String(className || "").split(/\s+/).filter(Boolean);
            if (!nClicks) { return classes.join(" "); }
            const phone = !!window.matchMedia && window.matchMedia(PHONE).matches;
            const collapsed = classes.indexOf("mq-collapsed") >= 0
                || (phone && classes.indexOf("mq-collapsed-phone") >= 0);
            const open = classes.filter(function (c) {
                return c !== "mq-collapsed" && c !== "mq-collapsed-phone";
            });
            return (collapsed ? open : open.concat("mq-collapsed")).join(" ");
        },
        /** The date range picker is shown only for the custom window. */
        datesStyle: function (windowValue) {
            return windowValue === "custom" ? {} : {display: "none"};
        },
        /**
         * The map's moves: the home extent once the page is drawn (no animation), then
         * each fly-to the panel asks for ({bounds, maxZoom}), kept clear of the cards.
         */
        fitVisible: function (fly, home, mapId) {
            const dc = window.dash_clientside || {};
            const flew = ((dc.callback_context || {}).triggered || []).some(function (t) {
                return String(t.prop_id || "").indexOf("map-fly.") === 0;
            });
            const goal = flew ? fly : home;  // the first call (nothing fired yet): home
            if (!goal || !goal.bounds) { return noUpdate(); }
            return new Promise(function (resolve) {
                window.requestAnimationFrame(function () {
                    const node = document.getElementById(mapId);
                    if (!node) { resolve(noUpdate()); return; }
                    const options = Object.assign(visiblePadding(node), {
                        maxZoom: goal.maxZoom || 18, animate: flew, duration: 0.6,
                    });
                    resolve({bounds: goal.bounds, transition: flew ? "flyToBounds" : "fitBounds", options: options});
                });
            });
        },
        /** Legend numbers of the density layer: its top-level "stats" (a browser-cache hit). */
        densityStats: function (url) {
            ui.lastDensityUrl = url;
            if (!url) { return Promise.resolve(null); }
            return fetch(url, {credentials: "same-origin"})
                .then(function (r) { return r.ok ? r.json() : null; })
                .then(function (j) {
                    if (ui.lastDensityUrl !== url) { return noUpdate(); }  // a newer url won
                    return j && j.stats ? Object.assign({truncated: !!j.truncated}, j.stats) : null;
                })
                .catch(function () { return null; });
        },
    };

    window.minqing = Object.assign({}, window.minqing, {ui: ui});
    window.dash_clientside = Object.assign({}, window.dash_clientside, {minqing: ui});

    window.minqing = Object.assign({}, window.minqing, {
        map: {
            areaStyle: areaStyle,
            areaContextStyle: areaContextStyle,
            areaEach: areaEach,
            areaContextEach: raiseSelected,
            labelPoint: labelPoint,
            sitePoint: sitePoint,
            siteFilter: siteFilter,
            incidentPoint: incidentPoint,
            incidentCluster: incidentCluster,
            densityStyle: densityStyle,
            declutterLabels: declutterLabels,
            coverageStyle: coverageStyle,
            coverageTip: coverageTip,
            personPoint: personPoint,
            personCluster: personCluster,
            coordsGcj02: coordsGcj02,
            visiblePadding: visiblePadding,
            wgs84ToGcj02: wgs84ToGcj02,
            shortCount: shortCount,
        },
    });
})();
