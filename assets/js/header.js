/*
 * The screens menu of the shared header (pages/header.py screens_menu, a <details>):
 * Esc closes an open menu and gives the focus back to its summary; a click or tap outside
 * it closes it too. Listeners sit on the document, so menus rendered later by Dash's pages
 * router (every screen is) are covered without registering anything per page.
 */
(function () {
    "use strict";
    var MENU = "details.mq-nav";

    function openMenus() {
        return Array.prototype.slice.call(document.querySelectorAll(MENU + "[open]"));
    }

    document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" && event.key !== "Esc") { return; }
        openMenus().forEach(function (menu) {
            menu.removeAttribute("open");
            var summary = menu.querySelector("summary");
            if (summary) { summary.focus(); }
        });
    });

    document.addEventListener("click", function (event) {
        openMenus().forEach(function (menu) {
            if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
        });
    });
}());
