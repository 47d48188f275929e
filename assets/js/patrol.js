/*
 * MinQing Map: the grid worker's day on the phone (/patrol, web/templates/patrol.html).
 *
 * Dash loads every script under /assets on its own pages too, so this does nothing unless
 * the patrol page is there. What it does:
 *   - asks the browser for the position (WGS84, as the Geolocation API gives it: never
 *     shifted to GCJ-02) and loads the day's visits as a walk from there;
 *   - draws the walk as a small SVG sketch (no map library: the page must load over a
 *     weak signal) and as a list;
 *   - renders a visit's checklist from the version the server sent, checks what it can
 *     before sending (required items, a reason when not on site: the server decides);
 *   - sends it with a client-made id; when the network fails the checklist goes into an
 *     outbox on the phone (IndexedDB) and is sent again when the connection returns, the
 *     same id each time, so the server stores it once however often it arrives.
 */
(function () {
    "use strict";

    var app = document.getElementById("patrol-app");
    if (!app) {
        return;
    }
    var MSG = JSON.parse(document.getElementById("patrol-messages").textContent || "{}");
    var CSRF = app.getAttribute("data-csrf") || "";
    var LANG = app.getAttribute("data-lang") || "zh-CN";
    var MAX_SIDE = 1280; // photos are shrunk on the phone to at most this many pixels
    var state = { day: null, position: null, task: null, draft: null, sending: false };

    function $(id) {
        return document.getElementById(id);
    }

    function t(key, params) {
        var text = MSG[key] || key;
        Object.keys(params || {}).forEach(function (k) {
            text = text.split("{" + k + "}").join(String(params[k]));
        });
        return text;
    }

    function el(tag, attrs, children) {
        var node = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === "text") {
                node.textContent = attrs[k];
            } else if (k === "className") {
                node.className = attrs[k];
            } else {
                node.setAttribute(k, attrs[k]);
            }
        });
        (children || []).forEach(function (c) {
            if (c) {
                node.appendChild(c);
            }
        });
        return node;
    }

    function newId() {
        if (window.crypto && window.crypto.randomUUID) {
            return window.crypto.randomUUID();
        }
        var bytes = new Uint8Array(16);
        window.crypto.getRandomValues(bytes);
        return Array.prototype.map.call(bytes, function (b) {
            return ("0" + b.toString(16)).slice(-2);
        }).join("");
    }

    // ------------------------------------------------------------------- outbox
    var DB_NAME = "minqing-patrol";
    var STORE = "outbox";

    function openDb() {
        return new Promise(function (resolve, reject) {
            if (!window.indexedDB) {
                reject(new Error("no IndexedDB"));
                return;
            }
            var req = window.indexedDB.open(DB_NAME, 1);
            req.onupgradeneeded = function () {
                req.result.createObjectStore(STORE, { keyPath: "client_id" });
            };
            req.onsuccess = function () {
                resolve(req.result);
            };
            req.onerror = function () {
                reject(req.error);
            };
        });
    }

    function withStore(mode, fn) {
        return openDb().then(function (db) {
            return new Promise(function (resolve, reject) {
                var tx = db.transaction(STORE, mode);
                var out = fn(tx.objectStore(STORE));
                tx.oncomplete = function () {
                    resolve(out && out.result !== undefined ? out.result : out);
                };
                tx.onerror = function () {
                    reject(tx.error);
                };
            });
        }).catch(function () {
            // no IndexedDB (private mode on some phones): localStorage instead
            var all = JSON.parse(window.localStorage.getItem(DB_NAME) || "{}");
            var fake = {
                put: function (v) { all[v.client_id] = v; },
                delete: function (k) { delete all[k]; },
                getAll: function () { return { result: Object.keys(all).map(function (k) { return all[k]; }) }; }
            };
            var res = fn(fake);
            window.localStorage.setItem(DB_NAME, JSON.stringify(all));
            return res && res.result !== undefined ? res.result : res;
        });
    }

    function outboxAll() {
        return withStore("readonly", function (s) { return s.getAll(); }).then(function (v) {
            return v || [];
        });
    }

    function outboxPut(entry) {
        return withStore("readwrite", function (s) { s.put(entry); });
    }

    function outboxDelete(clientId) {
        return withStore("readwrite", function (s) { s.delete(clientId); });
    }

    function showOutbox() {
        return outboxAll().then(function (items) {
            $("patrol-outbox").textContent = items.length
                ? t("patrol.ui.outbox", { n: items.length })
                : t("patrol.ui.outbox_none");
            $("patrol-send-now").hidden = !items.length;
            var waiting = {};
            items.forEach(function (i) { waiting[i.task_id] = true; });
            Array.prototype.forEach.call(document.querySelectorAll("[data-task]"), function (li) {
                li.classList.toggle("mq-patrol-queued", !!waiting[li.getAttribute("data-task")]);
            });
            return items;
        });
    }

    function showNet() {
        var on = navigator.onLine;
        var net = $("patrol-net");
        net.textContent = on ? t("patrol.ui.online") : t("patrol.ui.offline");
        net.className = "mq-patrol-net " + (on ? "is-on" : "is-off");
    }

    // ------------------------------------------------------------------- server
    function post(taskId, body) {
        return fetch("/api/v1/patrol/tasks/" + taskId + "/submission?lang=" + LANG, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
            body: JSON.stringify(body)
        }).then(function (resp) {
            return resp.json().catch(function () { return {}; }).then(function (json) {
                return { status: resp.status, json: json };
            });
        });
    }

    function retryable(status) {
        return status === 0 || status === 408 || status === 429 || status >= 500;
    }

    function flush() {
        if (state.sending) {
            return Promise.resolve();
        }
        state.sending = true;
        return outboxAll().then(function (items) {
            var chain = Promise.resolve();
            items.forEach(function (entry) {
                chain = chain.then(function () {
                    return post(entry.task_id, entry.body).then(function (res) {
                        if (retryable(res.status) || res.status === 401) {
                            return; // later (a signed-out phone keeps it until sign-in)
                        }
                        if (res.status >= 400) {
                            notice(t("patrol.ui.send_failed", { msg: res.json.message || res.status }));
                        } else {
                            markDone(entry.task_id);
                        }
                        return outboxDelete(entry.client_id);
                    }, function () {
                        throw new Error("offline"); // stop here; try again later
                    });
                });
            });
            return chain;
        }).catch(function () {
            return null;
        }).then(function () {
            state.sending = false;
            return showOutbox();
        });
    }

    function notice(text) {
        var s = $("patrol-summary");
        var p = el("p", { className: "mq-patrol-error", role: "alert", text: text });
        s.parentNode.insertBefore(p, s);
    }

    // ------------------------------------------------------------------- position
    function locate(timeoutMs, maxAgeMs) {
        return new Promise(function (resolve) {
            if (!navigator.geolocation) {
                resolve(null);
                return;
            }
            navigator.geolocation.getCurrentPosition(function (p) {
                resolve({
                    lon: p.coords.longitude,
                    lat: p.coords.latitude,
                    accuracy_m: Math.max(0, p.coords.accuracy || 0)
                });
            }, function () {
                resolve(null);
            }, { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: maxAgeMs });
        });
    }

    function metres(lon1, lat1, lon2, lat2) {
        var r = 6371008.8, rad = Math.PI / 180;
        var dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
        var h = Math.pow(Math.sin(dp / 2), 2) +
            Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin(dl / 2), 2);
        return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    function shownDistance(m) {
        return m >= 1000 ? (m / 1000).toFixed(1) + " km" : Math.round(m) + " m";
    }

    // ------------------------------------------------------------------- the day
    function loadDay() {
        return locate(8000, 30000).then(function (pos) {
            state.position = pos;
            var q = "?lang=" + LANG + (pos ? "&lon=" + pos.lon.toFixed(6) + "&lat=" + pos.lat.toFixed(6) : "");
            return fetch("/api/v1/patrol/day" + q, { credentials: "same-origin" });
        }).then(function (resp) {
            if (!resp.ok) {
                throw new Error(String(resp.status));
            }
            return resp.json();
        }).then(function (day) {
            window.localStorage.setItem("minqing-patrol-day", JSON.stringify(day));
            state.day = day;
            renderDay();
        }).catch(function () {
            var cached = window.localStorage.getItem("minqing-patrol-day");
            if (cached) {
                state.day = JSON.parse(cached);
                renderDay();
            } else {
                $("patrol-summary").textContent = t("patrol.ui.load_failed");
            }
        }).then(showOutbox);
    }

    function markDone(taskId) {
        if (!state.day) {
            return;
        }
        state.day.tasks = state.day.tasks.filter(function (x) { return String(x.id) !== String(taskId); });
        window.localStorage.setItem("minqing-patrol-day", JSON.stringify(state.day));
        renderDay();
    }

    function renderDay() {
        var day = state.day, list = $("patrol-list");
        list.textContent = "";
        var late = day.tasks.filter(function (x) { return x.overdue; }).length;
        var summary = day.tasks.length ? t("patrol.ui.summary", { n: day.tasks.length, late: late }) : t("patrol.ui.empty");
        if (day.tasks.length && day.route_m) {
            summary += " · " + t("patrol.ui.summary_route", { km: (day.route_m / 1000).toFixed(1) });
        } else if (day.tasks.length && !state.position) {
            summary += " · " + t("patrol.ui.no_position");
        }
        $("patrol-summary").textContent = summary;
        day.tasks.forEach(function (task) {
            var badges = [];
            if (task.overdue) {
                badges.push(el("span", { className: "mq-patrol-badge is-late", text: t("patrol.ui.overdue") }));
            }
            if (task.high_risk) {
                badges.push(el("span", { className: "mq-patrol-badge is-risk", text: t("patrol.ui.high_risk") }));
            }
            var meta = [task.kind, t("patrol.ui.deadline", { at: task.last_day.slice(5) })];
            if (task.distance_m !== null && task.distance_m !== undefined) {
                meta.push(t("patrol.ui.distance", { m: shownDistance(task.distance_m) }));
            }
            var button = el("button", { type: "button", className: "mq-patrol-task", id: "patrol-task-" + task.id }, [
                el("span", { className: "mq-patrol-order", text: String(task.order) }),
                el("span", { className: "mq-patrol-task-main" }, [
                    el("span", { className: "mq-patrol-task-title", text: task.title }),
                    el("span", { className: "mq-patrol-task-meta", text: meta.join(" · ") })
                ].concat(badges.length ? [el("span", {}, badges)] : [])),
                el("span", { className: "mq-patrol-queued-label", text: t("patrol.ui.queued") })
            ]);
            button.addEventListener("click", function () { openTask(task); });
            list.appendChild(el("li", { "data-task": String(task.id) }, [button]));
        });
        drawMap();
    }

    function drawMap() {
        var svg = $("patrol-map"), tasks = state.day.tasks, pos = state.position;
        svg.textContent = "";
        var pts = tasks.map(function (x) { return [x.lon, x.lat]; });
        if (pos) {
            pts.push([pos.lon, pos.lat]);
        }
        svg.style.display = pts.length ? "" : "none";
        if (!pts.length) {
            return;
        }
        var lons = pts.map(function (p) { return p[0]; }), lats = pts.map(function (p) { return p[1]; });
        var minX = Math.min.apply(null, lons), maxX = Math.max.apply(null, lons);
        var minY = Math.min.apply(null, lats), maxY = Math.max.apply(null, lats);
        var k = Math.cos(((minY + maxY) / 2) * Math.PI / 180);
        var w = Math.max((maxX - minX) * k, 1e-4), h = Math.max(maxY - minY, 1e-4);
        var scale = Math.min(320 / w, 160 / h);
        function xy(lon, lat) {
            return [20 + ((lon - minX) * k) * scale + (320 - w * scale) / 2,
                180 - (lat - minY) * scale - (160 - h * scale) / 2];
        }
        var ns = "http://www.w3.org/2000/svg";
        var line = document.createElementNS(ns, "polyline");
        var walk = (pos ? [[pos.lon, pos.lat]] : []).concat(tasks.map(function (x) { return [x.lon, x.lat]; }));
        line.setAttribute("points", walk.map(function (p) { return xy(p[0], p[1]).join(","); }).join(" "));
        line.setAttribute("class", "mq-patrol-route");
        svg.appendChild(line);
        if (pos) {
            var me = document.createElementNS(ns, "circle");
            var c = xy(pos.lon, pos.lat);
            me.setAttribute("cx", c[0]); me.setAttribute("cy", c[1]); me.setAttribute("r", 7);
            me.setAttribute("class", "mq-patrol-me");
            svg.appendChild(me);
        }
        tasks.forEach(function (x) {
            var p = xy(x.lon, x.lat);
            var g = document.createElementNS(ns, "g");
            g.setAttribute("class", "mq-patrol-stop" + (x.overdue ? " is-late" : ""));
            var dot = document.createElementNS(ns, "circle");
            dot.setAttribute("cx", p[0]); dot.setAttribute("cy", p[1]); dot.setAttribute("r", 10);
            var label = document.createElementNS(ns, "text");
            label.setAttribute("x", p[0]); label.setAttribute("y", p[1] + 4);
            label.textContent = String(x.order);
            g.appendChild(dot); g.appendChild(label);
            svg.appendChild(g);
        });
    }

    // ------------------------------------------------------------------- a checklist
    function show(view) {
        ["patrol-day", "patrol-form-view", "patrol-done-view"].forEach(function (id) {
            $(id).hidden = id !== view;
        });
        window.scrollTo(0, 0);
    }

    function openTask(task) {
        var checklist = state.day.checklists[String(task.template_version_id)];
        state.task = task;
        state.draft = { client_id: newId(), photos: {} };
        $("patrol-form-title").textContent = task.title;
        $("patrol-form-meta").textContent = checklist.name + " · " + task.kind + (task.address ? " · " + task.address : "");
        $("patrol-offsite").hidden = true;
        $("patrol-reason").value = "";
        $("patrol-person").hidden = !task.person_id;
        $("patrol-person-info").hidden = true;
        $("patrol-form-error").hidden = true;
        var box = $("patrol-items");
        box.textContent = "";
        checklist.items.forEach(function (item) { box.appendChild(renderItem(item)); });
        show("patrol-form-view");
    }

    function itemLabel(item) {
        return LANG === "en" ? item.label_en : item.label_zh;
    }

    function noteField(item) {
        var note = el("textarea", { id: "patrol-note-" + item.key, rows: "2", maxlength: "500", className: "mq-patrol-note" });
        var wrap = el("label", { className: "mq-patrol-note-wrap", hidden: "hidden" }, [el("span", { text: t("patrol.ui.note") }), note]);
        return wrap;
    }

    function choiceButtons(item, options) {
        var group = el("div", { className: "mq-patrol-choices", role: "radiogroup", "aria-labelledby": labelId(item) });
        var note = noteField(item);
        options.forEach(function (o) {
            var id = "patrol-" + item.key + "-" + o.value;
            var input = el("input", { type: "radio", name: "item-" + item.key, id: id, value: o.value });
            input.addEventListener("change", function () {
                note.hidden = !o.fail;
            });
            group.appendChild(el("label", { className: "mq-patrol-choice" + (o.fail ? " is-fail" : ""), "for": id }, [
                input, el("span", { text: o.label })
            ]));
        });
        return [group, note];
    }

    /** The id of an item's visible label: the name of its answer field (WCAG 1.3.1, 4.1.2). */
    function labelId(item) {
        return "patrol-label-" + item.key;
    }

    function renderItem(item) {
        var head = el("div", { className: "mq-patrol-item-label", id: labelId(item), text: itemLabel(item) + (item.required ? " *" : "") });
        var parts = [head];
        if (item.kind === "pass_fail") {
            parts = parts.concat(choiceButtons(item, [
                { value: "pass", label: t("patrol.ui.pass") },
                { value: "fail", label: t("patrol.ui.fail"), fail: true },
                { value: "na", label: t("patrol.ui.na") }
            ]));
        } else if (item.kind === "choice") {
            parts = parts.concat(choiceButtons(item, item.choices.map(function (c) {
                return { value: c.value, label: LANG === "en" ? c.label_en : c.label_zh, fail: c.fail };
            })));
        } else if (item.kind === "number") {
            var input = el("input", { type: "number", inputmode: "decimal", step: "any", id: "patrol-num-" + item.key, name: "item-" + item.key, "aria-labelledby": labelId(item) });
            var note = noteField(item);
            input.addEventListener("input", function () {
                var v = parseFloat(input.value);
                note.hidden = isNaN(v) || !((item.min !== null && v < item.min) || (item.max !== null && v > item.max));
            });
            var hint = (item.min !== null || item.max !== null)
                ? el("div", { className: "mq-patrol-hint", text: t("patrol.ui.limits", { lo: item.min === null ? "-" : item.min, hi: item.max === null ? "-" : item.max }) + (item.unit ? " " + item.unit : "") })
                : null;
            parts.push(el("label", { className: "mq-patrol-number" }, [input, item.unit ? el("span", { text: item.unit }) : null]), hint, note);
        } else if (item.kind === "text") {
            parts.push(el("textarea", { id: "patrol-text-" + item.key, name: "item-" + item.key, rows: "3", maxlength: "1000", "aria-labelledby": labelId(item) }));
        } else if (item.kind === "photo") {
            var file = el("input", { type: "file", accept: "image/*", capture: "environment", id: "patrol-photo-" + item.key, className: "mq-patrol-file" });
            var count = el("span", { className: "mq-patrol-hint", id: "patrol-photo-count-" + item.key });
            file.addEventListener("change", function () {
                Array.prototype.forEach.call(file.files || [], function (f) {
                    shrink(f).then(function (data) {
                        var list = state.draft.photos[item.key] = state.draft.photos[item.key] || [];
                        list.push(data);
                        count.textContent = t("patrol.ui.photos_n", { n: list.length });
                    });
                });
                file.value = "";
            });
            parts.push(el("label", { className: "mq-patrol-photo", "for": "patrol-photo-" + item.key }, [el("span", { text: t("patrol.ui.photo_add") })]), file, count);
        }
        return el("fieldset", { className: "mq-patrol-item", id: "patrol-item-" + item.key }, parts);
    }

    function shrink(file) {
        // a photo as base64 JPEG at most MAX_SIDE pixels wide or high (the original when
        // the browser cannot draw it: the server checks the type and the size)
        function raw() {
            return new Promise(function (resolve) {
                var r = new FileReader();
                r.onload = function () { resolve(String(r.result).split(",")[1]); };
                r.readAsDataURL(file);
            });
        }
        if (!window.createImageBitmap) {
            return raw();
        }
        return window.createImageBitmap(file).then(function (img) {
            var k = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
            var canvas = document.createElement("canvas");
            canvas.width = Math.round(img.width * k);
            canvas.height = Math.round(img.height * k);
            canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
            return canvas.toDataURL("image/jpeg", 0.72).split(",")[1];
        }).catch(raw);
    }

    function collect(checklist) {
        var answers = {}, notes = {}, missing = [];
        checklist.items.forEach(function (item) {
            var value = null;
            if (item.kind === "pass_fail" || item.kind === "choice") {
                var checked = document.querySelector("input[name='item-" + item.key + "']:checked");
                value = checked ? checked.value : null;
            } else if (item.kind === "number") {
                var raw = $("patrol-num-" + item.key).value;
                value = raw === "" ? null : parseFloat(raw);
            } else if (item.kind === "text") {
                value = $("patrol-text-" + item.key).value.trim() || null;
            }
            if (item.kind !== "photo" && item.kind !== "text") {
                answers[item.key] = value;
            } else if (item.kind === "text" && value) {
                answers[item.key] = value;
            }
            var note = $("patrol-note-" + item.key);
            if (note && note.value.trim()) {
                notes[item.key] = note.value.trim();
            }
            var photos = (state.draft.photos[item.key] || []).length;
            if ((item.required && item.kind !== "photo" && value === null) ||
                (item.kind === "photo" && photos < (item.min_photos || 0))) {
                missing.push(itemLabel(item));
            }
        });
        return { answers: answers, notes: notes, missing: missing };
    }

    function formError(text) {
        var p = $("patrol-form-error");
        p.textContent = text;
        p.hidden = !text;
        if (text) {
            p.scrollIntoView({ block: "center" });
        }
    }

    function checkIn(task, pos) {
        // the server decides; this only says beforehand when a reason will be needed
        if (!pos) {
            return t("patrol.ui.denied");
        }
        var d = metres(pos.lon, pos.lat, task.lon, task.lat);
        if (d > task.radius_m) {
            return t("patrol.ui.off_site", { m: Math.round(d), r: task.radius_m });
        }
        if (pos.accuracy_m > task.radius_m) {
            return t("patrol.ui.inaccurate", { a: Math.round(pos.accuracy_m) });
        }
        return null;
    }

    function submit(event) {
        event.preventDefault();
        var task = state.task, checklist = state.day.checklists[String(task.template_version_id)];
        var got = collect(checklist);
        if (got.missing.length) {
            formError(t("patrol.ui.fill_required", { items: got.missing.join("、") }));
            return;
        }
        formError("");
        var button = $("patrol-submit");
        button.disabled = true;
        button.textContent = t("patrol.ui.locating");
        locate(10000, 0).then(function (pos) {  // a fresh position for the check-in
            var why = checkIn(task, pos);
            var reason = $("patrol-reason").value.trim();
            if (why && reason.length < 4) {
                $("patrol-offsite-why").textContent = why;
                $("patrol-offsite").hidden = false;
                formError(t("patrol.ui.reason_short"));
                $("patrol-reason").focus();
                return null;
            }
            var photos = [];
            Object.keys(state.draft.photos).forEach(function (key) {
                state.draft.photos[key].forEach(function (data) {
                    photos.push({ item: key, data_base64: data });
                });
            });
            var body = {
                client_id: state.draft.client_id,
                template_version_id: checklist.id,
                filled_at: new Date().toISOString(),
                answers: got.answers,
                notes: got.notes,
                position: pos,
                off_site_reason: why ? reason : null,
                photos: photos
            };
            return send(task, body);
        }).then(function () {
            button.disabled = false;
            button.textContent = t("patrol.ui.submit");
        });
    }

    function send(task, body) {
        var entry = { client_id: body.client_id, task_id: task.id, title: task.title, body: body, queued_at: Date.now() };
        return post(task.id, body).then(function (res) {
            if (retryable(res.status)) {
                throw new Error("later");
            }
            if (res.status >= 400) {
                formError(res.json.message || String(res.status));
                return;
            }
            markDone(task.id);
            done(task, res.json);
        }).catch(function () {
            // no connection (or the server is away): keep it on the phone and send later
            return outboxPut(entry).then(function () {
                done(task, null);
                return showOutbox();
            });
        });
    }

    function done(task, result) {
        $("patrol-done-title").textContent = task.title;
        var lines = [];
        if (!result) {
            lines.push(t("patrol.ui.saved_offline"));
        } else {
            lines.push(t("patrol.ui.sent"));
            lines.push(result.cases.length ? t("patrol.ui.sent_cases", { n: result.cases.length }) : t("patrol.ui.sent_ok"));
            if (result.flags.length) {
                lines.push(t("patrol.ui.flagged", { flags: result.flags.map(function (f) { return t("patrol.flag." + f); }).join("、") }));
            }
        }
        $("patrol-done-text").textContent = lines.join(" ");
        $("patrol-done-view").setAttribute("data-result", result ? "sent" : "queued");
        show("patrol-done-view");
    }

    function showPerson() {
        // who to visit, masked as everywhere (the clear identity: the map's person panel,
        // with a reason, audited); only online, and never kept on the phone
        var info = $("patrol-person-info");
        fetch("/api/v1/persons/" + state.task.person_id + "?lang=" + LANG, { credentials: "same-origin" })
            .then(function (resp) { return resp.ok ? resp.json() : Promise.reject(resp.status); })
            .then(function (p) {
                info.textContent = [p.full_name, p.category_label, p.phone, p.address]
                    .filter(function (x) { return x; }).join(" · ");
            }, function () {
                info.textContent = t("patrol.ui.person_failed");
            }).then(function () { info.hidden = false; });
    }

    // ------------------------------------------------------------------- wiring
    $("patrol-person").addEventListener("click", showPerson);
    $("patrol-form").addEventListener("submit", submit);
    $("patrol-back").addEventListener("click", function () { show("patrol-day"); });
    $("patrol-done-back").addEventListener("click", function () { show("patrol-day"); });
    $("patrol-send-now").addEventListener("click", flush);
    window.addEventListener("online", function () { showNet(); flush(); });
    window.addEventListener("offline", showNet);
    showNet();
    loadDay().then(flush);
    window.setInterval(function () {
        if (navigator.onLine) {
            flush();
        }
    }, 30000);
}());
