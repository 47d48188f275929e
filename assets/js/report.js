/*
 * MinQing Map: the public report form (/report, web/templates/report.html).
 *
 * Dash loads every script under /assets on its own pages too, so this does nothing unless
 * the report form is on the page. It only helps: the form works without it.
 *   - county and street selects narrow the community list (options carry data-parent);
 *   - "use my current location" fills the hidden lon/lat fields from the browser's
 *     geolocation (WGS84), which the server then prefers to the community's point.
 */
(function () {
    "use strict";

    function narrow(select, parentCode) {
        Array.prototype.forEach.call(select.options, function (opt) {
            var parent = opt.getAttribute("data-parent");
            var show = !parentCode || parent === null || parent.indexOf(parentCode) === 0;
            opt.hidden = !show;
            opt.disabled = !show;
        });
        var current = select.options[select.selectedIndex];
        if (current && current.disabled) {
            select.value = "";
        }
    }

    function streetsOf(street, county) {
        // a community's parent is its street: keep those of the county's streets
        var codes = [];
        Array.prototype.forEach.call(street.options, function (opt) {
            if (opt.value && (!county || opt.getAttribute("data-parent") === county)) {
                codes.push(opt.value);
            }
        });
        return codes;
    }

    function setup(form) {
        var county = document.getElementById("report-county");
        var street = document.getElementById("report-street");
        var community = document.getElementById("report-community");
        county.addEventListener("change", function () {
            narrow(street, county.value);
            var allowed = streetsOf(street, county.value);
            Array.prototype.forEach.call(community.options, function (opt) {
                var parent = opt.getAttribute("data-parent");
                var show = !county.value || parent === null || allowed.indexOf(parent) >= 0;
                opt.hidden = !show;
                opt.disabled = !show;
            });
            if (community.options[community.selectedIndex].disabled) {
                community.value = "";
            }
        });
        street.addEventListener("change", function () {
            if (street.value) {
                narrow(community, street.value);
            } else {
                county.dispatchEvent(new Event("change"));
            }
        });

        var button = document.getElementById("report-locate");
        var status = document.getElementById("report-locate-status");
        var lon = document.getElementById("report-lon");
        var lat = document.getElementById("report-lat");
        if (!("geolocation" in navigator)) {
            return;
        }
        button.hidden = false;
        button.addEventListener("click", function () {
            status.textContent = form.getAttribute("data-locating");
            navigator.geolocation.getCurrentPosition(
                function (pos) {
                    lon.value = pos.coords.longitude.toFixed(7);
                    lat.value = pos.coords.latitude.toFixed(7);
                    status.textContent = form.getAttribute("data-located")
                        .replace("{m}", String(Math.round(pos.coords.accuracy || 0)));
                },
                function () {
                    lon.value = "";
                    lat.value = "";
                    status.textContent = form.getAttribute("data-locate-failed");
                },
                {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
            );
        });
    }

    function start() {
        var form = document.getElementById("report-form");
        if (form) {
            setup(form);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
