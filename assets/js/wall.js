/*
 * MinQing Map: the wall screen's clientside callbacks (window.dash_clientside.minqingWall).
 *
 * The "data as of" clock turns red once no refresh has succeeded for 1.5 refresh
 * intervals. Two callbacks, so that the check never waits for the server:
 *   seen(status)            the refresh store changed: note the time (by the browser's own
 *                           clock, so a server clock that differs does not matter) and
 *                           show the time of the data;
 *   stale(tick, intervalMs) every second, on a tick of its own: the clock's class. It
 *                           takes nothing from the refresh callback, because Dash holds a
 *                           callback back while one of its inputs is still being computed,
 *                           so a hanging refresh would stop a check that listened to it.
 */
(function () {
    "use strict";

    let lastOk = 0;  // when a refresh last succeeded
    let since = 0;   // when the clock first ran (before the first refresh)

    const wall = {
        seen: function (status) {
            if (!status) { return "--:--:--"; }
            lastOk = Date.now();
            return String(status.at || "--:--:--");
        },
        stale: function (tick, intervalMs) {
            const now = Date.now();
            if (!since) { since = now; }
            const late = now - (lastOk || since) > 1.5 * (intervalMs || 10000);
            return "mq-wall-clock" + (late ? " mq-wall-stale" : "");
        },
    };

    window.dash_clientside = Object.assign({}, window.dash_clientside, {minqingWall: wall});
})();
