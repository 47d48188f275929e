/*
 * MinQing Map: accessibility repairs of Dash's own components (WCAG 2.1 AA, checked by
 * axe-core in tests/e2e/test_accessibility.py). Dash 4 renders a few controls whose
 * markup a screen reader misreads; Python cannot reach that markup, so this script fixes
 * it in the page, whenever Dash renders or re-renders one of them:
 *
 * - dcc.Dropdown: a hidden, aria-hidden input takes the Tab and passes focus on to the
 *   real button. The button itself goes in the tab order instead (Space / Enter / Down
 *   open it), and its name includes the field's label, not only the chosen value.
 * - dcc.RadioItems / dcc.Checklist: a "listbox" of "option"s that each hold a native
 *   radio or checkbox (an interactive control inside another). They become a
 *   "radiogroup" / "group" named by the field's label; the native inputs speak for
 *   themselves.
 * - dcc.DatePickerSingle / Range: ARIA attributes on a plain div that cannot carry them
 *   are dropped; the clear "button" (an <a> without href) becomes a button the keyboard
 *   can reach, named in the page's language (words from <html data-mq-clear-date...>,
 *   written by web/dash_index.py).
 * - dcc.Upload: the hidden file input is named by the drop zone's text.
 *
 * Every change is idempotent (an attribute is written only when it differs), so the
 * observer that calls it after each DOM change settles at once, before the next paint.
 */
(function () {
    "use strict";

    let serial = 0;

    function setAttr(el, name, value) {
        if (el.getAttribute(name) !== value) { el.setAttribute(name, value); }
    }

    function dropAttr(el, name) {
        if (el.hasAttribute(name)) { el.removeAttribute(name); }
    }

    function idOf(el) {
        if (!el.id) { serial += 1; el.id = "mq-a11y-" + serial; }
        return el.id;
    }

    /** The visible label of the field that holds ``control``: the first element before
     *  it, in the same <label> or wrapper, that has text of its own. */
    function fieldLabel(control) {
        let child = control;
        let parent = control.parentElement;
        for (let depth = 0; parent && depth < 3; depth += 1) {
            for (let el = parent.firstElementChild; el && el !== child; el = el.nextElementSibling) {
                if (!el.contains(control) && el.textContent.trim()
                        && !el.matches("input, button, select, textarea, .dash-dropdown-wrapper")) {
                    return el;
                }
            }
            child = parent;
            parent = parent.parentElement;
        }
        return null;
    }

    function dropdowns(root) {
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
            setAttr(target, "tabindex", "-1");
            const button = target.nextElementSibling;
            if (!button || !button.matches("button.dash-dropdown")) { return; }
            if (!button.disabled) { setAttr(button, "tabindex", "0"); }
            const label = fieldLabel(button.parentElement);
            const named = button.getAttribute("aria-labelledby") || "";
            if (label && named.split(" ").indexOf(label.id) < 0) {
                setAttr(button, "aria-labelledby", (idOf(label) + " " + named).trim());
            }
        });
    }

    function optionLists(root) {
        root.querySelectorAll(".dash-radioitems, .dash-checklist").forEach(function (list) {
            if (!list.classList.contains("dash-options-list")) { return; }
            setAttr(list, "role", list.classList.contains("dash-radioitems") ? "radiogroup" : "group");
            list.querySelectorAll(":scope > [role='option'], :scope > [aria-selected]").forEach(function (opt) {
                dropAttr(opt, "role");
                dropAttr(opt, "aria-selected");
            });
            if (!list.hasAttribute("aria-label") && !list.hasAttribute("aria-labelledby")) {
                const label = fieldLabel(list);
                if (label) { setAttr(list, "aria-labelledby", idOf(label)); }
            }
        });
    }

    function datePickers(root) {
        const words = document.documentElement.dataset;
        root.querySelectorAll(".dash-datepicker-input-wrapper").forEach(function (wrapper) {
            ["aria-haspopup", "aria-expanded", "aria-disabled", "aria-labelledby", "type"]
                .forEach(function (name) { dropAttr(wrapper, name); });
        });
        root.querySelectorAll("a.dash-datepicker-clear").forEach(function (clear) {
            if (!clear.dataset.mqRange) {
                const range = /dates/i.test(clear.getAttribute("aria-label") || "");
                clear.dataset.mqRange = range ? "1" : "0";
            }
            const name = clear.dataset.mqRange === "1" ? words.mqClearDates : words.mqClearDate;
            setAttr(clear, "role", "button");
            setAttr(clear, "tabindex", "0");
            if (name) { setAttr(clear, "aria-label", name); }
        });
    }

    function uploads(root) {
        root.querySelectorAll("input[type='file']").forEach(function (input) {
            if (input.labels && input.labels.length) { return; }
            if (input.hasAttribute("aria-label")) { return; }
            const zone = input.parentElement;
            if (zone && zone.textContent.trim()) { setAttr(input, "aria-labelledby", idOf(zone)); }
        });
    }

    function repair() {
        const root = document.body;
        if (!root) { return; }
        dropdowns(root);
        optionLists(root);
        datePickers(root);
        uploads(root);
    }

    /** Enter / Space on a repaired clear button press it, as on any button. */
    document.addEventListener("keydown", function (event) {
        const el = event.target;
        if (!(el instanceof Element) || !el.matches("a.dash-datepicker-clear")) { return; }
        if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            el.click();
        }
    });

    /** A batch of DOM changes that is only the map redrawing (markers, shapes) needs no
     *  repair: skip it, so panning a busy map costs nothing here. */
    function onChanges(records) {
        for (let i = 0; i < records.length; i += 1) {
            const target = records[i].target;
            if (!(target instanceof Element) || !target.closest(".leaflet-map-pane")) {
                repair();
                return;
            }
        }
    }

    function start() {
        repair();
        // after each batch of DOM changes (React's commits), as a microtask
        new MutationObserver(onChanges).observe(document.body, {
            childList: true,
            subtree: true,
            attributes: true,
            attributeFilter: ["tabindex", "role", "aria-selected", "aria-expanded", "aria-label"],
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
