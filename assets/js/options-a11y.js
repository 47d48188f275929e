/*
 * MinQing Map: accessible names and roles for Dash 4's checklists and radio items.
 *
 * Dash 4.4 draws dcc.Checklist and dcc.RadioItems as a `role="listbox"` of
 * `<label role="option">`s, each holding a real checkbox or radio input. axe-core (and
 * screen readers) read that as an interactive option with an interactive control inside
 * (nested-interactive) and a listbox without a name (aria-input-field-name). The inputs
 * themselves are the right semantics, so the wrapper roles are taken away: the list
 * becomes a named group (radiogroup for radio items) and each label a plain label. The
 * name is the section title above the list (an h3/h4 in the same section), or the
 * list's `title`. Dropdown menus (also option lists, but a real listbox) are left alone.
 * A MutationObserver repeats it when Dash draws or redraws a list.
 */
(function () {
    "use strict";

    const LISTS = ".dash-checklist[role='listbox'], .dash-radioitems[role='listbox']";

    function nameOf(list) {
        const section = list.closest("section, fieldset, .mq-section, .mq-card-body");
        const heading = section ? section.querySelector("h2, h3, h4, legend, .mq-section-title") : null;
        return (heading && heading.textContent.trim()) || list.getAttribute("title") || "";
    }

    function repair(list) {
        const radio = list.classList.contains("dash-radioitems");
        list.setAttribute("role", radio ? "radiogroup" : "group");
        list.removeAttribute("aria-multiselectable");
        if (!list.getAttribute("aria-label")) {
            const name = nameOf(list);
            if (name) { list.setAttribute("aria-label", name); }
        }
        list.querySelectorAll("[role='option']").forEach(function (option) {
            option.removeAttribute("role");
            option.removeAttribute("aria-selected");
        });
    }

    function scan(root) {
        if (!root || !root.querySelectorAll) { return; }
        if (root.matches && root.matches(LISTS)) { repair(root); }
        root.querySelectorAll(LISTS).forEach(repair);
    }

    function start() {
        scan(document.body);
        new MutationObserver(function (records) {
            records.forEach(function (r) {
                if (r.type === "attributes") {
                    scan(r.target);
                } else {
                    r.addedNodes.forEach(scan);
                    scan(r.target.closest ? r.target.closest(LISTS) : null);
                }
            });
        }).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["role"]});
    }

    if (!window.MutationObserver) { return; }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
