/*
 * MinQing Map: the action form of an incident's handling block (pages/map_flow_form.py),
 * window.dash_clientside.minqingFlow.
 *
 * gate(action, note, nSubmit, nConfirm, nCancel, rules) -> [submit disabled, hint,
 * confirm box class, confirm disabled]:
 *   - nothing is chosen for the user: 提交 stays disabled until an offered action is
 *     chosen and, when the state machine requires one, a note of rules.minNote characters
 *     is written (the hint says so);
 *   - 提交 on a weighty step (rules.confirm) sends nothing: it shows the question with
 *     确认 / 取消; 确认 sends the step (the server takes such a step from 确认 only);
 *     取消, another action or an edited note hides the question again;
 *   - a pressed button is disabled at once, so a double click sends one request.
 * The server checks everything again (role, department, version, note).
 */
(function () {
    "use strict";

    const HIDDEN = "mq-flow-confirm mq-hidden";
    const SHOWN = "mq-flow-confirm";

    function triggeredType(rules) {
        const ctx = window.dash_clientside && window.dash_clientside.callback_context;
        const fired = ctx && ctx.triggered && ctx.triggered[0] ? ctx.triggered[0] : null;
        if (!fired || !fired.value) { return null; }
        const types = rules.types || {};
        const id = String(fired.prop_id || "");
        return Object.keys(types).find(function (k) {
            return id.indexOf('"type":"' + types[k] + '"') >= 0;
        }) || null;
    }

    function gate(action, note, nSubmit, nConfirm, nCancel, rules) {
        rules = rules || {};
        const offered = Array.isArray(rules.actions) ? rules.actions : [];
        const chosen = typeof action === "string" && offered.indexOf(action) >= 0;
        const noteRule = chosen && rules.note ? rules.note[action] : null;
        const written = typeof note === "string" ? note.trim().length : 0;
        const noteOk = !noteRule || written >= (rules.minNote || 2);
        const question = chosen && rules.confirm ? rules.confirm[action] : null;
        const ready = chosen && noteOk;
        const hint = chosen && !noteOk ? noteRule : "";
        const by = triggeredType(rules);
        if (by === "confirm" && ready && question) {
            return [true, question, SHOWN, true];  // sent: wait for the redrawn block
        }
        if (by === "submit" && ready) {
            if (question) { return [true, question, SHOWN, false]; }
            return [true, "", HIDDEN, true];  // sent
        }
        return [!ready, hint, HIDDEN, true];
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        minqingFlow: {gate: gate},
    });
})();
